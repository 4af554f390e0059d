import { serverApi } from "@/lib/api/server";
import { requireSession } from "@/lib/guard";
import { i18n } from "@/lib/i18n/server";
import { TwoFactor } from "./TwoFactor";

export default async function TwoFactorPage() {
  const s = await requireSession("/account/two-factor");
  const { locale, t } = await i18n();
  const api = await serverApi(s.token);
  const { data } = await api.GET("/v1/users/{user}", { params: { path: { user: s.userId } } });
  return (
    <>
      <h1>{t("twoFactor.title")}</h1>
      <TwoFactor locale={locale} user={s.userId} enabled={Boolean(data?.user?.totpEnabled)} />
    </>
  );
}
