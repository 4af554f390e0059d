// An employer with open jobs (the demo's Naniwa Metal) allocates a cohort: the jobs and the ranked
// candidates are preselected; the assignment appears with its figures, consistent with each other.
import { expect, test } from "@playwright/test";
import { DEMO_EMPLOYERS, login, shot, visit } from "./helpers";

test("an employer runs cohort allocation and sees the assignment and its figures", async ({ page }) => {
  await login(page, DEMO_EMPLOYERS[0], process.env.IWORKZ_E2E_DEMO_PASSWORD!);
  await visit(page, "/employer/cohort", "employer-cohort", async () => {
    await expect(page.locator('input[name="job"]').first()).toBeVisible();
    await expect(page.locator("#workers")).not.toHaveValue("");
  });
  const jobs = await page.locator('input[name="job"]:checked').count();
  const workers = (await page.locator("#workers").inputValue()).split(/\s+/).filter(Boolean);
  expect(jobs).toBeGreaterThan(0);
  expect(workers.length).toBeGreaterThan(0);

  // A worker ID that is not one is refused next to the list.
  await page.locator("#workers").fill(`${workers.join("\n")}\nbob`);
  await page.getByRole("button", { name: "Allocate" }).click();
  await expect(page.locator("#workers-error")).toBeVisible();
  await expect(page.locator("#workers")).toHaveAttribute("aria-invalid", "true");

  await page.locator("#workers").fill(workers.join("\n"));
  await page.getByRole("button", { name: "Allocate" }).click();
  const rows = page.getByTestId("cohort-assignments").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const placed = await rows.count();
  await expect(page.getByTestId("cohort-placed")).toHaveText(String(placed));
  const figures = page.getByTestId("cohort-figures");
  await expect(figures).toContainText("Workers not placed");
  const unplaced = Number(await figures.locator("dd").nth(3).textContent());
  expect(placed + unplaced).toBe(workers.length);
  // Every row names a person and one of the jobs shown, with a match percentage.
  const titles = (await page.locator('input[name="job"] + label').allTextContents()).map((x) => x.trim());
  for (const row of await rows.all()) {
    const cells = row.locator("th, td");
    expect(titles).toContain((await cells.nth(1).textContent())!.trim());
    await expect(cells.nth(2)).toHaveText(/\d+%/);
  }
  await shot(page, "en", "employer-cohort-result");
});
