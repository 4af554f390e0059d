"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api } from "@/lib/api/browser";
import { errorMessage } from "@/lib/api/errors";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";

/** Suspend, reinstate or revoke one credential, with a reason. */
export function StatusButtons({ locale, issuer, id, state }: { locale: Locale; issuer: string; id: string; state: string }) {
  const t = translator(locale);
  const router = useRouter();
  const [reason, setReason] = useState("");
  const [error, setError] = useState("");
  const act = async (verb: "suspend" | "unsuspend" | "revoke") => {
    const path = { issuer, credential: id };
    const body = { name: `issuers/${issuer}/credentials/${id}`, reason: reason || verb } as never;
    const result =
      verb === "revoke"
        ? await api.POST("/v1/issuers/{issuer}/credentials/{credential}:revoke", { params: { path }, body })
        : verb === "suspend"
          ? await api.POST("/v1/issuers/{issuer}/credentials/{credential}:suspend", { params: { path }, body })
          : await api.POST("/v1/issuers/{issuer}/credentials/{credential}:unsuspend", { params: { path }, body });
    if (result.error) setError(errorMessage(result.error));
    else router.refresh();
  };
  if (state === "CREDENTIAL_STATE_REVOKED") return null;
  return (
    <div className="row">
      <label htmlFor={`reason-${id}`}>{t("issuer.reason")}</label>
      <input id={`reason-${id}`} value={reason} onChange={(e) => setReason(e.target.value)} />
      {state === "CREDENTIAL_STATE_SUSPENDED" ? (
        <button type="button" className="secondary" onClick={() => void act("unsuspend")}>
          {t("issuer.unsuspend")}
        </button>
      ) : (
        <button type="button" className="secondary" onClick={() => void act("suspend")}>
          {t("issuer.suspend")}
        </button>
      )}
      <button type="button" onClick={() => void act("revoke")}>
        {t("issuer.revoke")}
      </button>
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
