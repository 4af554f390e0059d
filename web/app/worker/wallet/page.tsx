import { serverApi } from "@/lib/api/server";
import { formatDate } from "@/lib/format";
import { requireSession } from "@/lib/guard";
import { enumName } from "@/lib/i18n/enums";
import { i18n } from "@/lib/i18n/server";
import { ShareForm } from "./ShareForm";

/** The credential wallet: every credential with its status, each shareable. */
export default async function Wallet() {
  const s = await requireSession("/worker/wallet", "ROLE_WORKER");
  const { locale, t } = await i18n();
  const api = await serverApi(s.token);
  const { data } = await api.GET("/v1/workers/{worker}/credentials", { params: { path: { worker: s.userId }, query: { pageSize: 100 } } });
  const credentials = data?.credentials ?? [];
  return (
    <>
      <h1>{t("wallet.title")}</h1>
      <p>
        {t("wallet.id")}: <code data-testid="worker-id">workers/{s.userId}</code>
      </p>
      {credentials.length === 0 ? <p>{t("wallet.empty")}</p> : null}
      <ul className="cards">
        {credentials.map((c) => {
          const subject = ((c.verifiableCredential as { credentialSubject?: Record<string, unknown> } | undefined)?.credentialSubject ?? {}) as Record<string, unknown>;
          return (
            <li key={c.name} className="card" data-testid="credential" data-type={c.type} data-format={c.format}>
              <h2>
                {c.type} {subject.level ? `(${String(subject.level)})` : ""}
              </h2>
              <p className="row">
                <span>
                  {t("wallet.status")}: <strong data-testid="credential-state">{enumName("credentialState", c.state, locale)}</strong>
                </span>
                <span className="pill">{c.format === "CREDENTIAL_FORMAT_SD_JWT" ? "SD-JWT" : "Data Integrity"}</span>
                <span className="muted">{formatDate(c.issueTime, locale)}</span>
              </p>
              <p className="muted">{t("wallet.issuer", { issuer: c.issuerDid ?? "" })}</p>
              <details>
                <summary>{t("wallet.share")}</summary>
                <ShareForm locale={locale} worker={s.userId} credential={c} />
              </details>
            </li>
          );
        })}
      </ul>
    </>
  );
}
