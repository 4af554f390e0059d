"use client";
import { useState } from "react";
import { Field, SelectField } from "@/components/Field";
import { api } from "@/lib/api/browser";
import { fieldErrors, errorMessage } from "@/lib/api/errors";
import type { WorkerProfile } from "@/lib/api/types";
import { enumOptions } from "@/lib/i18n/enums";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { PREFECTURES } from "@/lib/prefectures";

const MASK = "displayName,phone,nationality,languages,location,availability,visaStatus,sswField,summary,discoverable";

function dateString(d?: { year?: number; month?: number; day?: number }): string {
  if (!d?.year) return "";
  return `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/** The onboarding form: status of residence, SSW field, JLPT, languages, location, availability. */
export function ProfileForm({ locale, worker, profile }: { locale: Locale; worker: string; profile: WorkerProfile }) {
  const t = translator(locale);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const ja = profile.languages?.find((l) => l.language === "ja");
  const others = (profile.languages ?? []).filter((l) => l.language !== "ja").map((l) => l.language).join(", ");
  return (
    <form
      className="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setMessage(null);
        const f = new FormData(e.currentTarget);
        const text = (name: string) => String(f.get(name) ?? "").trim();
        const from = text("availableFrom");
        const [year, month, day] = from ? from.split("-").map(Number) : [];
        const jlpt = text("jlpt");
        const languages = [
          ...(jlpt ? [{ language: "ja", jlptLevel: jlpt as never }] : []),
          ...text("otherLanguages")
            .split(",")
            .map((s) => s.trim().toLowerCase())
            .filter((s) => s && s !== "ja")
            .map((language) => ({ language })),
        ];
        const body: WorkerProfile = {
          name: `workers/${worker}`,
          displayName: text("displayName"),
          phone: text("phone"),
          nationality: text("nationality").toUpperCase(),
          languages,
          location: { prefecture: text("prefecture"), city: text("city") },
          availability: {
            ...(year ? { availableFrom: { year, month, day } } : {}),
            hoursPerWeek: Number(text("hoursPerWeek") || 0),
          },
          visaStatus: (text("visaStatus") || "VISA_STATUS_UNSPECIFIED") as never,
          sswField: (text("sswField") || "SSW_FIELD_UNSPECIFIED") as never,
          summary: text("summary"),
          discoverable: f.get("discoverable") === "on",
        };
        const { error } = await api.PATCH("/v1/workers/{worker}", {
          params: { path: { worker }, query: { updateMask: MASK } as never },
          body,
        });
        setBusy(false);
        if (error) {
          const found = fieldErrors(error);
          setErrors(found);
          setMessage({ ok: false, text: Object.keys(found).length ? t("form.fixFields") : t("form.error", { message: errorMessage(error) }) });
          return;
        }
        setErrors({});
        setMessage({ ok: true, text: t("form.saved") });
      }}
    >
      <Field name="displayName" label={t("profile.displayName")} defaultValue={String(profile.displayName ?? "")} autoComplete="name" error={errors.displayName} />
      <Field name="phone" label={t("profile.phone")} type="tel" defaultValue={String(profile.phone ?? "")} autoComplete="tel" error={errors.phone} />
      <Field name="nationality" label={t("profile.nationality")} defaultValue={String(profile.nationality ?? "")} maxLength={2} error={errors.nationality} />
      <SelectField
        name="visaStatus"
        label={t("profile.visaStatus")}
        blank={t("enum.unspecified")}
        defaultValue={profile.visaStatus === "VISA_STATUS_UNSPECIFIED" ? "" : profile.visaStatus}
        options={enumOptions("visa", locale)}
        error={errors.visaStatus}
      />
      <SelectField
        name="sswField"
        label={t("profile.sswField")}
        blank={t("enum.unspecified")}
        defaultValue={profile.sswField === "SSW_FIELD_UNSPECIFIED" ? "" : profile.sswField}
        options={enumOptions("ssw", locale)}
        error={errors.sswField}
      />
      <SelectField
        name="jlpt"
        label={t("profile.jlpt")}
        blank={t("enum.unspecified")}
        defaultValue={ja?.jlptLevel && ja.jlptLevel !== "JAPANESE_LEVEL_UNSPECIFIED" ? ja.jlptLevel : ""}
        options={enumOptions("jlpt", locale)}
        error={errors.jlptLevel || errors.languages}
      />
      <Field name="otherLanguages" label={t("profile.otherLanguages")} defaultValue={others} error={errors.language} />
      <SelectField
        name="prefecture"
        label={t("profile.prefecture")}
        blank={t("enum.unspecified")}
        defaultValue={profile.location?.prefecture ?? ""}
        options={PREFECTURES.map((p) => ({ value: p.code, label: locale === "ja" ? p.ja : p.en }))}
        error={errors.prefecture}
      />
      <Field name="city" label={t("profile.city")} defaultValue={String(profile.location?.city ?? "")} error={errors.city} />
      <Field name="availableFrom" label={t("profile.availableFrom")} type="date" defaultValue={dateString(profile.availability?.availableFrom)} error={errors.availableFrom} />
      <Field
        name="hoursPerWeek"
        label={t("profile.hoursPerWeek")}
        type="number"
        min={0}
        max={80}
        defaultValue={profile.availability?.hoursPerWeek || ""}
        error={errors.hoursPerWeek}
      />
      <div className="field">
        <label htmlFor="summary">{t("profile.summary")}</label>
        <textarea id="summary" name="summary" rows={4} defaultValue={String(profile.summary ?? "")} />
      </div>
      <div className="row">
        <input id="discoverable" name="discoverable" type="checkbox" defaultChecked={profile.discoverable} />
        <label htmlFor="discoverable">{t("profile.discoverable")}</label>
      </div>
      {message ? (
        <p className={message.ok ? "status-ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? t("form.saving") : t("profile.save")}
      </button>
    </form>
  );
}
