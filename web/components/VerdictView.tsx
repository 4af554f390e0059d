import type { Verdict } from "@/lib/verify";
import type { T } from "@/lib/i18n/messages";

/** Every check with pass or fail and its reason in plain words; the disclosed claims. */
export function VerdictView({ verdict, t }: { verdict: Verdict; t: T }) {
  if (verdict.error)
    return (
      <p className="error" role="alert" data-testid="verdict" data-verified="false">
        {verdict.error}
      </p>
    );
  const disclosed = Object.entries(verdict.disclosed ?? {}).filter(([k]) => !["iss", "vct", "iat", "exp", "nbf", "cnf", "status", "_sd_alg"].includes(k));
  return (
    <section aria-labelledby="verdict-title">
      <h2 id="verdict-title" className={verdict.verified ? "status-ok" : "status-bad"} data-testid="verdict" data-verified={String(verdict.verified)}>
        {verdict.verified ? t("verify.ok") : t("verify.failed")}
      </h2>
      <table>
        <tbody>
          {verdict.checks.map((c, i) => (
            <tr key={i} data-testid="check" data-check={c.check} data-result={c.result}>
              <th scope="row">{c.check}</th>
              <td className={c.result === "CHECK_RESULT_FAIL" ? "status-bad" : c.result === "CHECK_RESULT_PASS" ? "status-ok" : "muted"}>
                {c.result === "CHECK_RESULT_PASS" ? t("verify.pass") : c.result === "CHECK_RESULT_FAIL" ? t("verify.fail") : t("verify.skip")}
              </td>
              <td>{c.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {disclosed.length ? (
        <>
          <h3>{t("verify.disclosed")}</h3>
          <dl data-testid="disclosed">
            {disclosed.map(([k, v]) => (
              <div key={k} className="row">
                <dt>{k}</dt>
                <dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </section>
  );
}
