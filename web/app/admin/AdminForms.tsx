"use client";
// Admin actions: grant or revoke a role; accredit an issuer for credential types.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field, SelectField } from "@/components/Field";
import { api } from "@/lib/api/browser";
import { errorMessage, fieldErrors } from "@/lib/api/errors";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

const ROLES = ["ROLE_WORKER", "ROLE_EMPLOYER", "ROLE_ISSUER", "ROLE_ADMIN"];

export function RoleButtons({ locale, user, roles }: { locale: Locale; user: string; roles: string[] }) {
  const t = translator(locale);
  const router = useRouter();
  const [error, setError] = useState("");
  const id = user.replace(/^users\//, "");
  const change = async (verb: "grant" | "revoke", role: string) => {
    const result =
      verb === "grant"
        ? await api.POST("/v1/users/{user}:grantRole", { params: { path: { user: id } }, body: { role } as never })
        : await api.POST("/v1/users/{user}:revokeRole", { params: { path: { user: id } }, body: { role } as never });
    if (result.error) setError(errorMessage(result.error));
    else router.refresh();
  };
  return (
    <div className="row">
      <label htmlFor={`role-${id}`} className="visually-hidden">
        {t("admin.role")}
      </label>
      <select id={`role-${id}`} defaultValue="">
        <option value="">{t("admin.role")}</option>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r.replace("ROLE_", "").toLowerCase()}
          </option>
        ))}
      </select>
      <button type="button" className="secondary" onClick={(e) => { const r = (document.getElementById(`role-${id}`) as HTMLSelectElement).value; if (r) void change(roles.includes(r) ? "revoke" : "grant", r); void e; }}>
        {t("admin.toggleRole")}
      </button>
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function AccreditForm({ locale, types }: { locale: Locale; types: string[] }) {
  const t = translator(locale);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <form
      className="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const issuer = String(f.get("issuer") ?? "").trim().replace(/^(issuers|organizations)\//, "");
        const { error } = await api.POST("/v1/issuers/{issuer}/accreditations", {
          params: { path: { issuer } },
          body: { credentialTypes: [String(f.get("type"))], validFrom: new Date().toISOString() } as never,
        });
        if (error) {
          setErrors(fieldErrors(error));
          setMessage({ ok: false, text: t("form.error", { message: errorMessage(error) }) });
        } else {
          setErrors({});
          setMessage({ ok: true, text: t("form.saved") });
        }
      }}
    >
      <Field name="issuer" label={t("admin.issuerId")} required error={errors.parent || errors.issuer} />
      <SelectField name="type" label={t("issuer.type")} options={types.map((x) => ({ value: x, label: x }))} error={errors.credentialTypes} />
      {message ? (
        <p className={message.ok ? "status-ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      <button type="submit">{t("admin.accredit")}</button>
    </form>
  );
}
