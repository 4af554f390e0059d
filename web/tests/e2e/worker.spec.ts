// A new worker signs up, fills the profile, uploads a résumé and accepts a suggestion, gets
// recommendations with reasons and a chart, applies, and sees the status change live when the employer
// moves the application to interview.
import { expect, test } from "@playwright/test";
import { DEMO_EMPLOYERS, resume, apiLogin, axe, login, setLocale, shot, unique, visit } from "./helpers";

test("a new worker finds a job, applies and follows it live", async ({ page, request, browser }) => {
  const email = `${unique("worker")}@example.com`;
  // A name of this run's own: earlier runs' applicants may sit on the same demo job's board.
  const name = `Nguyen Van An ${"ABCDEFGHIJKLMNOPQRSTUVWXYZ"[Date.now() % 26]}${"ABCDEFGHIJKLMNOPQRSTUVWXYZ"[Math.floor(Math.random() * 26)]}`;
  const password = "correct horse battery staple";

  await visit(page, "/", "home");
  await visit(page, "/signup", "signup");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  // The edge's field violation appears next to the field it names.
  await expect(page.locator("#password-error")).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL("**/worker/profile");

  // Tokens stay in httpOnly cookies: page scripts cannot read them.
  const cookies = await page.context().cookies();
  const access = cookies.find((c) => c.name === "__Host-iworkz-access");
  expect(access?.httpOnly && access.secure).toBe(true);
  expect(await page.evaluate(() => document.cookie)).not.toContain("iworkz-access");

  await visit(page, "/worker/profile", "worker-profile");
  await page.getByLabel("Status of residence *").selectOption("VISA_STATUS_SSW_1");
  await page.getByLabel("SSW field").selectOption("SSW_FIELD_MANUFACTURING");
  await page.getByLabel("Japanese level (JLPT) *").selectOption("JAPANESE_LEVEL_N3");
  await page.getByLabel("Prefecture *").selectOption("JP-27");
  await page.getByLabel("City").fill("Osaka");
  await page.getByLabel("Hours per week").fill("40");
  await page.getByLabel("Employers may find me").check();
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");

  await visit(page, "/worker/resume", "worker-resume");
  await page.getByLabel("Résumé file").setInputFiles({ name: "resume.txt", mimeType: "text/plain", buffer: Buffer.from(resume(name)) });
  await page.getByRole("button", { name: "Read my résumé" }).click();
  const suggestion = page.getByTestId("suggestion").first();
  await expect(suggestion).toBeVisible({ timeout: 90_000 });
  await expect(suggestion.locator("blockquote").first()).not.toBeEmpty();
  await axe(page, "résumé suggestions");
  await shot(page, "en", "worker-resume-suggestions");
  await suggestion.getByRole("button").click();
  await expect(suggestion.getByRole("status")).toHaveText("Accepted");

  // Recommendations follow the profile through the matching service's events: poll until they come.
  await setLocale(page, "en");
  await expect(async () => {
    await page.goto("/worker");
    await expect(page.getByTestId("recommendation").first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 90_000 });
  await visit(page, "/worker", "worker-recommendations", async () => {
    await expect(page.getByTestId("recommendation").first().locator(".recharts-surface")).toBeVisible();
  });
  // A job of a demo organisation (whose recruiter can log in below), best match first.
  const demo = process.env.IWORKZ_E2E_DEMO_PASSWORD!;
  const owners = new Map<string, string>();
  for (const email of DEMO_EMPLOYERS) owners.set((await apiLogin(request, email, demo)).org, email);
  const hrefs = await page.getByTestId("recommendation").getByRole("heading").getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
  const jobPath = hrefs.find((h) => owners.has(h.split("/")[2]))!;
  expect(jobPath, `a recommendation of a demo employer among ${hrefs.join(", ")}`).toBeTruthy();
  const first = page.getByTestId("recommendation").filter({ has: page.locator(`a[href="${jobPath}"]`) });
  await expect(first.locator("li").first()).not.toBeEmpty(); // a reason

  await visit(page, "/jobs?prefecture=JP-27", "job-search", async () => {
    await expect(page.getByTestId("job").first()).toBeVisible();
  });
  await visit(page, jobPath, "job", async () => {
    await expect(page.getByTestId("eligibility")).toBeVisible();
  });
  await expect(page.getByTestId("eligibility")).toHaveText("You are eligible for this job.");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status")).toContainText("You applied.");

  await visit(page, "/worker/applications", "worker-applications", async () => {
    await expect(page.locator('[data-live="open"]')).toBeVisible();
  });
  const status = page.getByTestId("application-status").first();
  await expect(status).toHaveAttribute("data-status", "APPLICATION_STATUS_APPLIED");

  // The employer (the demo organisation that posted the job) moves the application to interview on its
  // pipeline board, in a browser of its own.
  const [, employer, job] = /^\/jobs\/([^/]+)\/([^/]+)$/.exec(jobPath)!;
  const owner = owners.get(employer)!;
  const employerContext = await browser.newContext({ ignoreHTTPSErrors: true });
  const board = await employerContext.newPage();
  await login(board, owner, demo);
  await board.goto(`/employer/jobs/${job}`);
  const card = board.getByTestId("column-APPLICATION_STATUS_APPLIED").getByTestId("pipeline-card").filter({ hasText: name });
  await card.getByRole("combobox").selectOption("APPLICATION_STATUS_INTERVIEW");
  await expect(board.getByTestId("column-APPLICATION_STATUS_INTERVIEW").getByText(name, { exact: true })).toBeVisible();
  await employerContext.close();
  // No reload: the page hears it over Server-Sent Events.
  await expect(status).toHaveAttribute("data-status", "APPLICATION_STATUS_INTERVIEW");
  await expect(status).toHaveText("Interview");
  await shot(page, "en", "worker-applications-live");

  await visit(page, "/worker/notifications", "worker-notifications", async () => {
    await expect(page.getByTestId("notification").first()).toBeVisible();
  });

  // The assistant answers as a stream, in the page's language.
  await visit(page, "/worker/assistant", "worker-assistant");
  await page.getByLabel("Your message").fill("find welding jobs in Osaka");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("chat-bot").last()).not.toHaveText(/^(Writing…)?$/, { timeout: 60_000 });
  await shot(page, "en", "worker-assistant-reply");
});
