import Link from "next/link";
import { Field } from "@/components/Field";
import { serverApi } from "@/lib/api/server";
import { errorMessage, fieldErrors } from "@/lib/api/errors";
import { AUDIT_PATHS, AUDIT_SERVICES, auditHref, auditQuery, auditService, type AuditFilters } from "@/lib/audit";
import { formatDate } from "@/lib/format";
import { requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";

/** The audit logs, one service's at a time (links to the three): filters in the address (a plain GET form),
 * newest first, a page at a time. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<AuditFilters & { pageToken?: string; service?: string }> }) {
  const s = await requireSession("/admin/audit", "ROLE_ADMIN");
  const { locale, t } = await i18n();
  const { service: chosen, ...filters } = await searchParams;
  const service = auditService(chosen);
  const api = await serverApi(s.token);
  // The three paths answer the same request with the same JSON shape.
  const { data, error } = await api.GET(AUDIT_PATHS[service] as "/v1/auditEvents", { params: { query: auditQuery(filters) as never } });
  const errors = error ? fieldErrors(error) : {};
  // A range that ends before it starts is a rule on the whole request: shown next to "to".
  const endError = errors.endTime || errors.request;
  const events = data?.auditEvents ?? [];
  const next = new URLSearchParams(Object.entries({ service, ...filters, pageToken: data?.nextPageToken ?? "" }).filter(([, v]) => v) as [string, string][]);
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <p>{t("audit.lead")}</p>
      <nav aria-label={t("audit.services")}>
        <ul className="tabs" data-testid="audit-services">
          {AUDIT_SERVICES.map((name) => (
            <li key={name}>
              <Link href={auditHref(name, filters)} aria-current={name === service ? "page" : undefined}>
                {t(`audit.service.${name}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{t(`audit.service.${service}`)}</h2>
      <p>{t(`audit.about.${service}`)}</p>
      <form method="get" className="stack" role="search" aria-label={t("audit.filters")} noValidate>
        <input type="hidden" name="service" value={service} />
        <Field name="actor" label={t("audit.actor")} hint={t(`audit.actorHint.${service}`)} defaultValue={filters.actor ?? ""} error={errors.actor} />
        <Field name="target" label={t("audit.target")} hint={t(`audit.targetHint.${service}`)} defaultValue={filters.target ?? ""} error={errors.target} />
        <Field name="action" label={t("audit.action")} hint={t(`audit.actionHint.${service}`)} defaultValue={filters.action ?? ""} error={errors.action} />
        <div className="row">
          <Field name="startTime" label={t("audit.from")} type="date" defaultValue={filters.startTime ?? ""} error={errors.startTime} />
          <Field name="endTime" label={t("audit.to")} type="date" defaultValue={filters.endTime ?? ""} error={endError} />
        </div>
        <div className="row">
          <button type="submit">{t("audit.apply")}</button>
          <Link href={auditHref(service, {})}>{t("audit.clear")}</Link>
        </div>
      </form>
      {error && !Object.keys(errors).length ? (
        <p className="error" role="alert">
          {t("form.error", { message: errorMessage(error) })}
        </p>
      ) : null}
      {!error && events.length === 0 ? <p>{t("audit.none")}</p> : null}
      {events.length ? (
        <table data-testid="audit-log" data-service={service}>
          <caption className="visually-hidden">{t("audit.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("audit.when")}</th>
              <th scope="col">{t("audit.actor")}</th>
              <th scope="col">{t("audit.action")}</th>
              <th scope="col">{t("audit.target")}</th>
              <th scope="col">{t("audit.detail")}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.name} data-testid="audit-event" data-action={e.action}>
                <td>{formatDate(e.createTime, locale, true)}</td>
                <td>{e.actor}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.target}</td>
                <td>
                  <code>{e.detail && Object.keys(e.detail).length ? JSON.stringify(e.detail) : ""}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data?.nextPageToken ? (
        <p>
          <Link href={`/admin/audit?${next}`}>{t("audit.older")}</Link>
        </p>
      ) : null}
    </>
  );
}
