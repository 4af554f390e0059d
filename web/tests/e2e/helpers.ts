// What every journey does on each page: check it with axe-core (no serious or critical violation) and
// keep a screenshot, in Japanese and in English.
import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import path from "node:path";

export const SHOTS = path.resolve(import.meta.dirname, "..", "..", "..", "build", "web-screenshots");
export const LOCALES = ["ja", "en"] as const;

export async function setLocale(page: Page, locale: string) {
  const url = new URL(page.url().startsWith("http") ? page.url() : process.env.IWORKZ_E2E_URL!);
  await page.context().addCookies([{ name: "iworkz-locale", value: locale, domain: url.hostname, path: "/", secure: true, sameSite: "Lax" }]);
}

export async function axe(page: Page, name: string) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
  expect(bad, `axe on ${name} (${page.url()})`).toEqual([]);
}

export async function shot(page: Page, locale: string, name: string) {
  const dir = path.join(SHOTS, locale);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Open a page in Japanese and then in English (the journey goes on in English): each is checked with axe
 * and photographed; `ready` waits for what must be on the page. */
export async function visit(page: Page, pathname: string, name: string, ready?: (locale: string) => Promise<void>) {
  for (const locale of LOCALES) {
    await setLocale(page, locale);
    await page.goto(pathname);
    await expect(page.locator("html")).toHaveAttribute("lang", locale);
    await expect(page.locator("h1")).toBeVisible();
    if (ready) await ready(locale);
    await axe(page, `${name} [${locale}]`);
    await shot(page, locale, name);
  }
}

/** Log in through the edge's REST API (a test's second actor, outside the browser): the access token. */
export async function apiLogin(request: APIRequestContext, email: string, password: string): Promise<{ token: string; sub: string; org: string }> {
  const response = await request.post("/v1/auth:login", { data: { email, password } });
  expect(response.status(), await response.text()).toBe(200);
  const token = (await response.json()).tokens.accessToken as string;
  const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
  return { token, sub: claims.sub, org: String(claims.org ?? "").replace(/^organizations\//, "") };
}

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export const resume = (name: string) => `${name}
Email: an.nguyen@example.com
Phone: +81 80-1234-5678
Nationality: Vietnam
Status of residence: Specified Skilled Worker (i), manufacturing
Languages: Vietnamese (native), Japanese JLPT N3, English (basic)

Experience
2019-2024 Welder, Hanoi Steel Works: MIG and TIG welding of steel frames, reading blueprints, forklift operation.

Skills: arc welding, TIG welding, forklift operation, quality inspection
`;

export const DEMO_EMPLOYERS = [
  "recruit@naniwa-metal.example.com",
  "jinji@sakura-care.example.com",
  "saiyo@musashino-kensetsu.example.com",
  "recruit@hakata-yatai.example.com",
  "talent@shibuya-cloudworks.example.com",
];
export const JLPT_CENTRE = "registrar@jlpt-centre.example.com";

/** Log in through the login page (English). */
export async function login(page: Page, email: string, password: string) {
  await setLocale(page, "en");
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/** A worker made through the API (a second actor): signed up, profile filled; its token and id. */
export async function apiWorker(request: APIRequestContext, name: string) {
  const email = `${unique("w")}@example.com`;
  const password = "correct horse battery staple";
  const signed = await request.post("/v1/auth:signUp", { data: { email, password, displayName: name, accountType: "ACCOUNT_TYPE_WORKER" } });
  expect(signed.status(), await signed.text()).toBe(200);
  const { token, sub } = await apiLogin(request, email, password);
  const profile = await request.patch(`/v1/workers/${sub}`, {
    headers: { authorization: `Bearer ${token}` },
    data: {
      name: `workers/${sub}`,
      displayName: name,
      visaStatus: "VISA_STATUS_SSW_1",
      sswField: "SSW_FIELD_MANUFACTURING",
      languages: [{ language: "ja", jlptLevel: "JAPANESE_LEVEL_N3" }],
      location: { prefecture: "JP-27", city: "Osaka" },
      discoverable: true,
    },
  });
  expect(profile.status(), await profile.text()).toBe(200);
  return { token, sub, email, password };
}
