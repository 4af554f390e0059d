"use client";
import { useState } from "react";
import { Field, SelectField } from "@/components/Field";
import { postJson } from "@/lib/api/browser";
import { fieldErrors } from "@/lib/api/errors";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { home } from "../login/LoginForm";

const TYPES = { worker: "ACCOUNT_TYPE_WORKER", employer: "ACCOUNT_TYPE_EMPLOYER", issuer: "ACCOUNT_TYPE_ISSUER" } as const;

export function SignupForm({ locale, as }: { locale: Locale; as?: string }) {
  const t = translator(locale);
  const [kind, setKind] = useState<keyof typeof TYPES>(as === "employer" || as === "issuer" ? as : "worker");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const form = new FormData(e.currentTarget);
        const { ok, data } = await postJson("/api/session/signup", {
          email: form.get("email"),
          password: form.get("password"),
          displayName: form.get("displayName"),
          accountType: TYPES[kind],
          organizationDisplayName: kind === "worker" ? "" : form.get("organizationDisplayName"),
          locale,
        });
        setBusy(false);
        if (!ok) {
          const found = fieldErrors(data);
          setErrors(found);
          setMessage(Object.keys(found).length ? t("form.fixFields") : t("form.error", { message: data.message ?? "" }));
          return;
        }
        window.location.assign(kind === "worker" ? "/worker/profile" : home(data.user?.roles ?? []));
      }}
    >
      {message ? (
        <p className="error" role="alert">
          {message}
        </p>
      ) : null}
      <SelectField
        name="accountType"
        label={t("auth.accountType")}
        value={kind}
        onChange={(e) => setKind(e.target.value as keyof typeof TYPES)}
        options={[
          { value: "worker", label: t("auth.account.worker") },
          { value: "employer", label: t("auth.account.employer") },
          { value: "issuer", label: t("auth.account.issuer") },
        ]}
        error={errors.accountType}
      />
      <Field name="displayName" label={t("auth.displayName")} autoComplete="name" required error={errors.displayName} />
      {kind !== "worker" ? (
        <Field name="organizationDisplayName" label={t("auth.organization")} required error={errors.organizationDisplayName} />
      ) : null}
      <Field name="email" label={t("auth.email")} type="email" autoComplete="email" required error={errors.email} />
      <Field
        name="password"
        label={t("auth.password")}
        type="password"
        autoComplete="new-password"
        hint={t("auth.passwordHint")}
        required
        error={errors.password}
      />
      <button type="submit" disabled={busy}>
        {t("signup.submit")}
      </button>
    </form>
  );
}
