"use client";
// Share a credential: all of it, or (SD-JWT) only "JLPT ≥ N": a presentation, a share link and its QR code.
import QRCode from "qrcode";
import { useState } from "react";
import { api } from "@/lib/api/browser";
import { errorMessage } from "@/lib/api/errors";
import type { Credential } from "@/lib/api/types";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

const LEVELS = ["N1", "N2", "N3", "N4", "N5"];

export function ShareForm({ locale, worker, credential }: { locale: Locale; worker: string; credential: Credential }) {
  const t = translator(locale);
  const [link, setLink] = useState<{ url: string; qr: string } | null>(null);
  const [error, setError] = useState("");
  const sdJwt = credential.format === "CREDENTIAL_FORMAT_SD_JWT";
  const jlpt = credential.type === "JlptResultCredential";
  const id = credential.name!.split("/").pop()!;
  return (
    <form
      className="stack"
      onSubmit={async (e) => {
        e.preventDefault();
        setError("");
        const choice = String(new FormData(e.currentTarget).get(`disclose-${id}`) ?? "all");
        // The presentation is bound to a fresh challenge and this site as its domain; the link carries both
        // so the verifier can check the binding.
        const challenge = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
        const domain = window.location.host;
        const made = await api.POST("/v1/workers/{worker}/presentations", {
          params: { path: { worker } },
          body: { credentials: [credential.name!], challenge, domain, ...(choice !== "all" ? { disclose: [choice] } : {}) } as never,
        });
        if (made.error) return setError(errorMessage(made.error));
        const shared = await api.POST("/v1/workers/{worker}/shareLinks", {
          params: { path: { worker } },
          body: { presentation: made.data?.presentation, ttlSeconds: 7 * 24 * 3600 } as never,
        });
        if (shared.error || !shared.data?.shareLink?.token) return setError(errorMessage(shared.error));
        // The QR code opens this app's verifier page for the link (public, no account).
        const url = `${window.location.origin}/verify/${shared.data.shareLink.token}?c=${challenge}&d=${encodeURIComponent(domain)}`;
        setLink({ url, qr: await QRCode.toDataURL(url, { margin: 1, width: 220 }) });
      }}
    >
      {sdJwt && jlpt ? (
        <fieldset className="field">
          <legend>{t("wallet.disclose")}</legend>
          <div className="row">
            <input type="radio" id={`all-${id}`} name={`disclose-${id}`} value="all" defaultChecked />
            <label htmlFor={`all-${id}`}>{t("wallet.discloseAll")}</label>
          </div>
          {LEVELS.map((level) => (
            <div className="row" key={level}>
              <input type="radio" id={`${level}-${id}`} name={`disclose-${id}`} value={`jlptAtLeast${level}`} />
              <label htmlFor={`${level}-${id}`}>{t("wallet.discloseJlpt", { level })}</label>
            </div>
          ))}
        </fieldset>
      ) : null}
      <button type="submit">{t("wallet.createLink")}</button>
      {error ? (
        <p className="error" role="alert">
          {t("form.error", { message: error })}
        </p>
      ) : null}
      {link ? (
        <div className="card" data-testid="share-link">
          <p>
            {t("wallet.link")}:{" "}
            <a href={link.url} data-testid="share-url">
              {link.url}
            </a>
          </p>
          <img src={link.qr} alt={t("wallet.qr")} width={220} height={220} />
          <p>
            <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(link.url)}>
              {t("wallet.copy")}
            </button>
          </p>
        </div>
      ) : null}
    </form>
  );
}
