"use client";
// Two-step sign-in: enrol a TOTP authenticator (QR code and key), confirm with a code (then the recovery
// codes, shown once), or turn it off with a code. Field errors from the API appear next to the field.
import { useRouter } from "next/navigation";
import QRCode from "qrcode";
import { useState } from "react";
import { Field } from "@/components/Field";
import { api } from "@/lib/api/browser";
import { errorMessage, fieldErrors } from "@/lib/api/errors";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { NoteLine, type Note } from "../AccountForms";

/** TOTP: enrol (QR code and secret), confirm with a code (then the recovery codes, once), or turn off. */
export function TwoFactor({ locale, user, enabled }: { locale: Locale; user: string; enabled: boolean }) {
  const t = translator(locale);
  const router = useRouter();
  const [enrolment, setEnrolment] = useState<{ secret: string; qr: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [note, setNote] = useState<Note>(null);
  const path = { params: { path: { user } } };
  const failed = (error: unknown, status: number, field = "code") => {
    const found = fieldErrors(error);
    if (Object.keys(found).length) setErrors(found);
    else if (status === 401 || status === 400) setErrors({ [field]: t("twoFactor.wrongCode") });
    else setNote({ ok: false, text: t("form.error", { message: errorMessage(error) }) });
  };

  if (codes)
    return (
      <section aria-labelledby="recovery" className="card">
        <h2 id="recovery">{t("twoFactor.recoveryTitle")}</h2>
        <p className="status-ok" role="status">
          {t("twoFactor.enabled")}
        </p>
        <p>{t("twoFactor.recoveryLead")}</p>
        <ul data-testid="recovery-codes" className="codes">
          {codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => router.push("/account")}>
          {t("twoFactor.savedCodes")}
        </button>
      </section>
    );

  if (enabled)
    return (
      <form
        className="stack"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const code = String(new FormData(e.currentTarget).get("disableCode") ?? "").trim();
          const { error, response } = await api.POST("/v1/users/{user}:disableTotp", { ...path, body: { code } as never });
          if (error) return failed(error, response.status, "disableCode");
          setErrors({});
          setNote({ ok: true, text: t("twoFactor.disabled") });
          router.refresh();
        }}
      >
        <p className="status-ok">{t("twoFactor.on")}</p>
        <Field name="disableCode" label={t("twoFactor.code")} hint={t("twoFactor.codeHint")} autoComplete="one-time-code" required error={errors.disableCode || errors.code} />
        <NoteLine note={note} />
        <button type="submit" className="secondary">
          {t("twoFactor.turnOff")}
        </button>
      </form>
    );

  if (!enrolment)
    return (
      <div className="stack">
        <p>{t("twoFactor.lead")}</p>
        <button
          type="button"
          onClick={async () => {
            const { data, error } = await api.POST("/v1/users/{user}:enrollTotp", { ...path, body: {} as never });
            if (error || !data) return setNote({ ok: false, text: t("form.error", { message: errorMessage(error) }) });
            const uri = data.provisioningUri ?? "";
            setEnrolment({ secret: data.secret ?? "", qr: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) });
          }}
        >
          {t("twoFactor.start")}
        </button>
        <NoteLine note={note} />
      </div>
    );

  return (
    <form
      className="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const code = String(new FormData(e.currentTarget).get("code") ?? "").trim();
        const { data, error, response } = await api.POST("/v1/users/{user}:confirmTotp", { ...path, body: { code } as never });
        if (error || !data) return failed(error, response.status);
        setErrors({});
        setCodes(data.recoveryCodes ?? []);
      }}
    >
      <ol>
        <li>{t("twoFactor.scan")}</li>
        <li>{t("twoFactor.enter")}</li>
      </ol>
      <img src={enrolment.qr} alt={t("twoFactor.qr")} width={220} height={220} />
      <p>
        {t("twoFactor.secret")} <code data-testid="totp-secret">{enrolment.secret}</code>
      </p>
      <Field name="code" label={t("twoFactor.code6")} inputMode="numeric" autoComplete="one-time-code" required error={errors.code} />
      <NoteLine note={note} />
      <button type="submit">{t("twoFactor.confirm")}</button>
    </form>
  );
}
