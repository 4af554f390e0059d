"use client";
import { useState } from "react";
import { VerdictView } from "@/components/VerdictView";
import { postJson } from "@/lib/api/browser";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import type { Verdict } from "@/lib/verify";

export function VerifyForm({ locale }: { locale: Locale }) {
  const t = translator(locale);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [busy, setBusy] = useState(false);
  const [input, setInput] = useState("");
  return (
    <>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const { data } = await postJson("/api/verify", { input });
          setBusy(false);
          setVerdict(data as Verdict);
        }}
      >
        <div className="field">
          <label htmlFor="input">{t("verify.input")}</label>
          <textarea id="input" name="input" rows={6} value={input} onChange={(e) => setInput(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="file">{t("verify.file")}</label>
          <input id="file" type="file" accept=".json,.jsonld,.txt,application/json,text/plain" onChange={async (e) => setInput((await e.target.files?.[0]?.text()) ?? "")} />
        </div>
        <button type="submit" disabled={busy || !input.trim()}>
          {t("verify.submit")}
        </button>
      </form>
      <div aria-live="polite">{verdict ? <VerdictView verdict={verdict} t={t} /> : null}</div>
    </>
  );
}
