"use client";
// Issue a credential of a type the organisation is accredited for; JLPT results have their own fields.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field, SelectField } from "@/components/Field";
import { api } from "@/lib/api/browser";
import { errorMessage, fieldErrors } from "@/lib/api/errors";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

export function IssueForm({ locale, issuer, types }: { locale: Locale; issuer: string; types: string[] }) {
  const t = translator(locale);
  const router = useRouter();
  const [type, setType] = useState(types[0] ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <form
      className="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const text = (n: string) => String(f.get(n) ?? "").trim();
        let subject: Record<string, unknown>;
        if (type === "JlptResultCredential") {
          subject = { name: text("name"), level: text("level"), testDate: text("testDate"), certificateNumber: text("number") };
        } else {
          try {
            subject = JSON.parse(text("claims") || "{}");
          } catch {
            setErrors({ claims: "JSON" });
            return;
          }
        }
        const { error } = await api.POST("/v1/issuers/{issuer}/credentials", {
          params: { path: { issuer } },
          body: {
            parent: `issuers/${issuer}`,
            credential: { "@context": ["https://www.w3.org/ns/credentials/v2"], type: ["VerifiableCredential", type], credentialSubject: subject },
            options: { subject: text("subject"), format: text("format") },
          } as never,
        });
        if (error) {
          const found = fieldErrors(error);
          setErrors(found);
          setMessage({ ok: false, text: t("form.error", { message: errorMessage(error) }) });
          return;
        }
        setErrors({});
        setMessage({ ok: true, text: t("issuer.issued") });
        router.refresh();
      }}
    >
      <SelectField name="type" label={t("issuer.type")} value={type} onChange={(e) => setType(e.target.value)} options={types.map((x) => ({ value: x, label: x }))} />
      <Field name="subject" label={t("issuer.subject")} placeholder="workers/…" required error={errors.subject} />
      <SelectField
        name="format"
        label="Format"
        defaultValue="CREDENTIAL_FORMAT_SD_JWT"
        options={[
          { value: "CREDENTIAL_FORMAT_SD_JWT", label: "SD-JWT (selective disclosure)" },
          { value: "CREDENTIAL_FORMAT_DATA_INTEGRITY", label: "Data Integrity (JSON-LD)" },
        ]}
      />
      {type === "JlptResultCredential" ? (
        <>
          <Field name="name" label={t("issuer.name")} required error={errors.name} />
          <SelectField name="level" label={t("issuer.level")} defaultValue="N3" options={["N1", "N2", "N3", "N4", "N5"].map((v) => ({ value: v, label: v }))} error={errors.level} />
          <Field name="testDate" label={t("issuer.testDate")} type="date" required error={errors.testDate} />
          <Field name="number" label={t("issuer.number")} required error={errors.certificateNumber} />
        </>
      ) : (
        <div className="field">
          <label htmlFor="claims">{t("issuer.claims")}</label>
          <textarea id="claims" name="claims" rows={5} defaultValue="{}" />
        </div>
      )}
      {message ? (
        <p className={message.ok ? "status-ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      <button type="submit">{t("issuer.issue")}</button>
    </form>
  );
}
