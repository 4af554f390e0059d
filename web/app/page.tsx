import Link from "next/link";
import { i18n } from "@/lib/i18n/server";
import { session } from "@/lib/session";

export default async function Home() {
  const { t } = await i18n();
  const s = await session();
  return (
    <>
      <h1>{t("home.title")}</h1>
      <p>{t("app.tagline")}</p>
      <ul className="cards">
        <li className="card">
          <Link href={s?.roles.includes("ROLE_WORKER") ? "/worker" : "/signup?as=worker"}>{t("home.worker")}</Link>
        </li>
        <li className="card">
          <Link href={s?.roles.includes("ROLE_EMPLOYER") ? "/employer" : "/signup?as=employer"}>{t("home.employer")}</Link>
        </li>
        <li className="card">
          <Link href="/verify">{t("home.verifier")}</Link>
        </li>
      </ul>
    </>
  );
}
