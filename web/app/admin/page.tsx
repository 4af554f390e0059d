import Link from "next/link";
import { serverApi } from "@/lib/api/server";
import { formatDate } from "@/lib/format";
import { requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { AccreditForm, RoleButtons } from "./AdminForms";

/** Administration: users and their roles, accrediting issuers. */
export default async function AdminPage({ searchParams }: { searchParams: Promise<{ email?: string }> }) {
  const s = await requireSession("/admin", "ROLE_ADMIN");
  const { locale, t } = await i18n();
  const { email } = await searchParams;
  const api = await serverApi(s.token);
  const [users, types] = await Promise.all([
    api.GET("/v1/users", { params: { query: { pageSize: 50, ...(email ? { emailPrefix: email } : {}) } } }),
    api.GET("/v1/credentialTypes", {}),
  ]);
  return (
    <>
      <h1>{t("admin.title")}</h1>
      <p>
        <Link href="/admin/audit">{t("admin.openAudit")}</Link>
      </p>
      <h2>{t("admin.issuers")}</h2>
      <AccreditForm locale={locale} types={(types.data?.credentialTypes ?? []).map((c) => c.type ?? "").filter(Boolean)} />
      <h2>{t("admin.users")}</h2>
      <form method="get" className="row" role="search">
        <label htmlFor="email">{t("auth.email")}</label>
        <input id="email" name="email" defaultValue={email ?? ""} />
        <button type="submit">{t("search.submit")}</button>
      </form>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("auth.displayName")}</th>
            <th scope="col">{t("auth.email")}</th>
            <th scope="col">{t("admin.roles")}</th>
            <th scope="col">{t("admin.created")}</th>
            <th scope="col">{t("admin.role")}</th>
          </tr>
        </thead>
        <tbody>
          {(users.data?.users ?? []).map((u) => (
            <tr key={u.name} data-testid="user">
              <td>{u.displayName}</td>
              <td>{u.email}</td>
              <td>{(u.roles ?? []).map((r) => r.replace("ROLE_", "").toLowerCase()).join(", ")}</td>
              <td>{formatDate(u.createTime, locale)}</td>
              <td>
                <RoleButtons locale={locale} user={u.name ?? ""} roles={u.roles ?? []} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
