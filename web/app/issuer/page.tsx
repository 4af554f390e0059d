import { serverApi } from "@/lib/api/server";
import { formatDate } from "@/lib/format";
import { orgId, requireSession } from "@/lib/guard";
import { enumName } from "@/lib/i18n/enums";
import { i18n } from "@/lib/i18n/server";
import { IssueForm } from "./IssueForm";
import { StatusButtons } from "./StatusButtons";

/** Issue credentials of the accredited types; the list with status, to suspend or revoke. */
export default async function IssuerPage() {
  const s = await requireSession("/issuer");
  const { locale, t } = await i18n();
  const issuer = orgId(s);
  const api = await serverApi(s.token);
  const [me, issued] = await Promise.all([
    api.GET("/v1/issuers/{issuer}", { params: { path: { issuer } } }),
    api.GET("/v1/issuers/{issuer}/credentials", { params: { path: { issuer }, query: { pageSize: 100 } } }),
  ]);
  const accreditations = ((me.data as { issuer?: { accreditations?: { credentialTypes?: string[]; withdrawTime?: string }[] } } | undefined)?.issuer?.accreditations ?? []).filter((a) => !a.withdrawTime);
  const types = [...new Set(accreditations.flatMap((a) => a.credentialTypes ?? []))];
  const credentials = issued.data?.credentials ?? [];
  return (
    <>
      <h1>{t("issuer.title")}</h1>
      {types.length ? <IssueForm locale={locale} issuer={issuer} types={types} /> : <p>{t("form.error", { message: "not accredited" })}</p>}
      <h2>{t("issuer.list")}</h2>
      {credentials.length === 0 ? <p>{t("issuer.none")}</p> : null}
      <ul className="cards">
        {credentials.map((c) => {
          const id = c.name!.split("/").pop()!;
          const subject = ((c.verifiableCredential as { credentialSubject?: Record<string, unknown> } | undefined)?.credentialSubject ?? {}) as Record<string, unknown>;
          return (
            <li key={c.name} className="card" data-testid="issued" data-subject={c.subject} data-format={c.format}>
              <p className="row">
                <strong>{c.type}</strong>
                <span>{String(subject.name ?? c.subject ?? "")}</span>
                <span>{subject.level ? String(subject.level) : ""}</span>
                <span data-testid="issued-state">{enumName("credentialState", c.state, locale)}</span>
                <span className="muted">{formatDate(c.issueTime, locale)}</span>
              </p>
              <StatusButtons locale={locale} issuer={issuer} id={id} state={c.state ?? ""} />
            </li>
          );
        })}
      </ul>
    </>
  );
}
