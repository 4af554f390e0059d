import Link from "next/link";
import { VerdictView } from "@/components/VerdictView";
import { i18n } from "@/lib/i18n/server";
import { verifyInput } from "@/lib/verify";

export const dynamic = "force-dynamic";

/** A share link opened (or its QR code scanned): the presentation behind it, checked now. */
export default async function SharedPage({
  params,
  searchParams,
}: {
  params: Promise<{ token: string }>;
  searchParams: Promise<{ c?: string; d?: string }>;
}) {
  const { token } = await params;
  const { c, d } = await searchParams;
  const { t } = await i18n();
  const binding = c && d ? `?c=${encodeURIComponent(c)}&d=${encodeURIComponent(d)}` : "";
  const verdict = await verifyInput(`/verify/${token}${binding}`);
  return (
    <>
      <h1>{t("verify.title")}</h1>
      <VerdictView verdict={verdict} t={t} />
      <p>
        <Link href="/verify">{t("verify.submit")}…</Link>
      </p>
    </>
  );
}
