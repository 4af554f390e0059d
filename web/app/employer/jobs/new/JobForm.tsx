"use client";
// Post a job: the agent suggests skills from the description; the job is created, then published.
import { useState } from "react";
import { Field, SelectField } from "@/components/Field";
import { api } from "@/lib/api/browser";
import { errorMessage, fieldErrors } from "@/lib/api/errors";
import type { Job } from "@/lib/api/types";
import { enumOptions } from "@/lib/i18n/enums";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { PREFECTURES } from "@/lib/prefectures";

type Suggested = { id: string; label: string };

export function JobForm({ locale, employer }: { locale: Locale; employer: string }) {
  const t = translator(locale);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [skills, setSkills] = useState<Suggested[]>([]);
  const [busy, setBusy] = useState(false);

  async function suggest(form: HTMLFormElement) {
    const text = String(new FormData(form).get("description") ?? "");
    if (!text.trim()) return;
    const { data, error } = await api.POST("/v1/skills:extract", { body: { text } as never });
    if (error) return setMessage({ ok: false, text: errorMessage(error) });
    setSkills(
      (data?.skills ?? [])
        .map((s) => ({ id: s.skill?.uri ?? s.skill?.label ?? "", label: s.skill?.label ?? "" }))
        .filter((s) => s.label)
        .slice(0, 12),
    );
  }

  return (
    <form
      className="stack"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setMessage(null);
        const f = new FormData(e.currentTarget);
        const text = (n: string) => String(f.get(n) ?? "").trim();
        const yen = (n: string) => (text(n) ? { currencyCode: "JPY", units: text(n) } : undefined);
        const chosen = new Set(f.getAll("skill").map(String));
        const job: Job = {
          title: text("title"),
          description: text("description"),
          location: { prefecture: text("prefecture"), city: text("city") },
          wageMin: yen("wageMin"),
          wageMax: yen("wageMax"),
          wagePeriod: (text("wagePeriod") || "WAGE_PERIOD_MONTHLY") as never,
          minJapaneseLevel: (text("jlpt") || "JAPANESE_LEVEL_UNSPECIFIED") as never,
          eligibleVisaStatuses: f.getAll("visa").map(String) as never,
          eligibleSswFields: f.getAll("ssw").map(String) as never,
          headcount: Number(text("headcount") || 1),
          hoursPerWeek: Number(text("hours") || 0),
          employmentType: "EMPLOYMENT_TYPE_FULL_TIME" as never,
          requiredSkills: skills.filter((s) => chosen.has(s.id)).map((s) => ({ taxonomyId: s.id, label: s.label })),
        };
        const created = await api.POST("/v1/employers/{employer}/jobs", { params: { path: { employer } }, body: job });
        if (created.error || !created.data?.job?.name) {
          setBusy(false);
          const found = fieldErrors(created.error);
          setErrors(found);
          setMessage({ ok: false, text: Object.keys(found).length ? t("form.fixFields") : t("form.error", { message: errorMessage(created.error) }) });
          return;
        }
        const id = created.data.job.name.split("/").pop()!;
        const published = await api.POST("/v1/employers/{employer}/jobs/{job}:publish", { params: { path: { employer, job: id } }, body: {} as never });
        setBusy(false);
        if (published.error) return setMessage({ ok: false, text: t("form.error", { message: errorMessage(published.error) }) });
        window.location.assign(`/employer/jobs/${id}`);
      }}
    >
      <Field name="title" label={t("jobForm.jobTitle")} required error={errors.title} />
      <div className="field">
        <label htmlFor="description">{t("jobForm.description")}</label>
        <textarea id="description" name="description" rows={5} aria-invalid={errors.description ? true : undefined} aria-describedby={errors.description ? "description-error" : undefined} />
        {errors.description ? (
          <span className="error" id="description-error" role="alert">
            {errors.description}
          </span>
        ) : null}
      </div>
      <button type="button" className="secondary" onClick={(e) => void suggest(e.currentTarget.form!)}>
        {t("jobForm.suggest")}
      </button>
      {skills.length ? (
        <fieldset className="field">
          <legend>{t("jobForm.suggested")}</legend>
          {skills.map((s, i) => (
            <div className="row" key={s.id}>
              <input type="checkbox" id={`skill-${i}`} name="skill" value={s.id} defaultChecked={i < 3} />
              <label htmlFor={`skill-${i}`}>{s.label}</label>
            </div>
          ))}
        </fieldset>
      ) : null}
      <SelectField
        name="prefecture"
        label={t("profile.prefecture")}
        blank={t("enum.unspecified")}
        options={PREFECTURES.map((p) => ({ value: p.code, label: locale === "ja" ? p.ja : p.en }))}
        error={errors.prefecture}
      />
      <Field name="city" label={t("profile.city")} error={errors.city} />
      <Field name="wageMin" label={t("jobForm.wageMin")} type="number" min={0} error={errors.units || errors.wageMin} />
      <Field name="wageMax" label={t("jobForm.wageMax")} type="number" min={0} error={errors.wageMax} />
      <SelectField
        name="wagePeriod"
        label={t("jobForm.period")}
        defaultValue="WAGE_PERIOD_MONTHLY"
        options={(["WAGE_PERIOD_HOURLY", "WAGE_PERIOD_DAILY", "WAGE_PERIOD_MONTHLY", "WAGE_PERIOD_ANNUAL"] as const).map((v) => ({ value: v, label: t(`period.${v}`) }))}
      />
      <SelectField name="jlpt" label={t("jobForm.jlpt")} blank={t("enum.unspecified")} options={enumOptions("jlpt", locale)} error={errors.minJapaneseLevel} />
      <fieldset className="field">
        <legend>{t("jobForm.visas")}</legend>
        {enumOptions("visa", locale).map((o) => (
          <div className="row" key={o.value}>
            <input type="checkbox" id={`visa-${o.value}`} name="visa" value={o.value} />
            <label htmlFor={`visa-${o.value}`}>{o.label}</label>
          </div>
        ))}
      </fieldset>
      <fieldset className="field">
        <legend>{t("jobForm.ssw")}</legend>
        {enumOptions("ssw", locale).map((o) => (
          <div className="row" key={o.value}>
            <input type="checkbox" id={`ssw-${o.value}`} name="ssw" value={o.value} />
            <label htmlFor={`ssw-${o.value}`}>{o.label}</label>
          </div>
        ))}
      </fieldset>
      <Field name="headcount" label={t("jobForm.headcount")} type="number" min={1} defaultValue={1} error={errors.headcount} />
      <Field name="hours" label={t("jobForm.hours")} type="number" min={0} max={80} defaultValue={40} error={errors.hoursPerWeek} />
      {message ? (
        <p className={message.ok ? "status-ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {t("jobForm.publish")}
      </button>
    </form>
  );
}
