// An employer signs up, posts a job with skills the agent suggests, and moves a candidate through the
// pipeline board (live) to hired; the funnel follows.
import { expect, test } from "@playwright/test";
import { apiWorker, shot, unique, visit } from "./helpers";

test("an employer posts a job and moves a candidate to hired", async ({ page, request }) => {
  await page.goto("/signup?as=employer");
  await page.getByLabel("Your name").fill("Tanaka Hiroshi");
  await page.getByLabel("Organisation name").fill(`Kansai Weld ${unique("k")}`);
  await page.getByLabel("Email").fill(`${unique("hr")}@example.com`);
  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL("**/employer");
  await visit(page, "/employer", "employer-jobs");

  await visit(page, "/employer/jobs/new", "employer-job-new");
  await page.getByLabel("Job title").fill("TIG welder, steel frames");
  await page.getByLabel("Description").fill("TIG and MIG welding of steel frames, reading blueprints, forklift operation in the yard.");
  await page.getByRole("button", { name: "Suggest skills from the description" }).click();
  await expect(page.locator('input[name="skill"]').first()).toBeVisible({ timeout: 60_000 });
  await page.getByLabel("Prefecture").selectOption("JP-27");
  await page.getByLabel("City").fill("Osaka");
  await page.getByLabel("Wage from (yen)").fill("250000");
  await page.getByLabel("Wage up to (yen)").fill("300000");
  await page.getByLabel("Japanese needed (JLPT)").selectOption("JAPANESE_LEVEL_N4");
  await page.getByLabel("Specified Skilled Worker (i)", { exact: true }).check();
  await page.getByLabel("Manufacturing", { exact: true }).check();
  await page.getByRole("button", { name: "Publish the job" }).click();
  await page.waitForURL(/\/employer\/jobs\/[0-9a-f-]{36}$/);
  const job = page.url().split("/").pop()!;
  const employer = await page.evaluate(async (id) => (await (await fetch(`/api/v1/jobs:search?pageSize=50`)).json()).jobs.find((j: { name: string }) => j.name.endsWith(id))?.name, job);
  expect(employer, "the published job is found by search").toMatch(/^employers\/[^/]+\/jobs\//);

  // A worker applies (through the API, as a second actor); the board shows it without a reload.
  const worker = await apiWorker(request, "Siti Rahayu");
  const applied = await request.post(`/v1/${employer}/applications`, { headers: { authorization: `Bearer ${worker.token}` }, data: { coverLetter: "" } });
  expect(applied.status(), await applied.text()).toBe(200);
  const column = (status: string) => page.getByTestId(`column-APPLICATION_STATUS_${status}`);
  await expect(column("APPLIED").getByText("Siti Rahayu", { exact: true })).toBeVisible();
  await visit(page, `/employer/jobs/${job}`, "employer-pipeline", async () => {
    await expect(column("APPLIED").getByText("Siti Rahayu", { exact: true })).toBeVisible();
  });
  for (const [from, to] of [["APPLIED", "SHORTLISTED"], ["SHORTLISTED", "INTERVIEW"], ["INTERVIEW", "OFFER"], ["OFFER", "HIRED"]]) {
    await column(from).getByRole("combobox", { name: "Move Siti Rahayu to" }).selectOption(`APPLICATION_STATUS_${to}`);
    await expect(column(to).getByText("Siti Rahayu", { exact: true })).toBeVisible();
  }
  await expect(page.locator("table.visually-hidden").last()).toContainText("Hired1");
  await shot(page, "en", "employer-pipeline-hired");

  const mine = await request.get(`/v1/workers/${worker.sub}/applications`, { headers: { authorization: `Bearer ${worker.token}` } });
  expect((await mine.json()).applications[0].status).toBe("APPLICATION_STATUS_HIRED");
});
