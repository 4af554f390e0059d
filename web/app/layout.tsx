import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { LanguageSwitcher } from "@/components/LanguageSwitcher";
import { LogoutButton } from "@/components/LogoutButton";
import { i18n } from "@/lib/i18n/server";
import type { MessageKey } from "@/lib/i18n/messages";
import { session } from "@/lib/session";
import "./globals.css";

export const metadata: Metadata = { title: "iWORKZ", description: "Jobs in Japan, matched and verified." };
export const viewport: Viewport = { width: "device-width", initialScale: 1 };

function links(roles: string[] | null): [string, MessageKey][] {
  if (!roles) return [["/jobs", "nav.jobs"], ["/verify", "nav.verify"], ["/login", "nav.login"], ["/signup", "nav.signup"]];
  const out: [string, MessageKey][] = [];
  if (roles.includes("ROLE_WORKER"))
    out.push(
      ["/worker", "nav.recommendations"],
      ["/jobs", "nav.jobs"],
      ["/worker/applications", "nav.applications"],
      ["/worker/notifications", "nav.notifications"],
      ["/worker/wallet", "nav.wallet"],
      ["/worker/assistant", "nav.assistant"],
      ["/worker/profile", "nav.profile"],
      ["/worker/resume", "nav.resume"],
    );
  if (roles.includes("ROLE_EMPLOYER"))
    out.push(["/employer", "nav.employer"], ["/employer/notifications", "nav.notifications"], ["/issuer", "employer.references"]);
  if (roles.includes("ROLE_ISSUER") && !roles.includes("ROLE_EMPLOYER")) out.push(["/issuer", "nav.issuer"]);
  if (roles.includes("ROLE_ADMIN")) out.push(["/admin", "nav.admin"], ["/admin/audit", "audit.title"]);
  out.push(["/verify", "nav.verify"], ["/account", "nav.account"]);
  return out;
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const { locale, t } = await i18n();
  const s = await session();
  return (
    <html lang={locale}>
      <body>
        <a className="skip" href="#main">
          {t("nav.skip")}
        </a>
        <header className="site">
          <Link className="brand" href="/">
            {t("app.name")}
          </Link>
          <nav aria-label={t("nav.main")}>
            <ul>
              {links(s?.roles ?? null).map(([href, key]) => (
                <li key={href}>
                  <Link href={href}>{t(key)}</Link>
                </li>
              ))}
            </ul>
          </nav>
          <LanguageSwitcher locale={locale} label={t("nav.language")} />
          {s ? <LogoutButton label={t("nav.logout")} /> : null}
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
