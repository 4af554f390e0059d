/**
 * The web export of the app in Chromium against a real platform (identity,
 * marketplace, notifications behind the edge, gRPC-web over TLS).
 */
import { expect, test, type Page } from "@playwright/test";
import { marketplace } from "../../sdk/typescript/src/index";
import { edge, employerWithJob, PASSWORD, tag, workerAccount } from "./platform";

async function openApp(page: Page) {
  await page.goto(`/?edge=${encodeURIComponent(edge())}`);
}

async function findAndOpen(page: Page, jobTag: string) {
  await page.getByLabel("Search jobs").fill(jobTag);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByRole("button", { name: new RegExp(`TIG welder ${jobTag}`) }).click();
  await expect(page.getByText("You meet this job's requirements")).toBeVisible();
}

test("a worker signs up, fills the profile in steps, applies, and sees the status change live", async ({ page }) => {
  const { api: employer, job, tag: jobTag } = await employerWithJob();
  await openApp(page);
  await page.getByLabel("Your name").fill("Nguyen Van An");
  await page.getByLabel("Email").fill(`an-${tag()}@example.com`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();

  // Onboarding: residence, SSW field, JLPT, languages, prefecture, availability.
  await expect(page.getByText("Step 1 of 6")).toBeVisible();
  await page.getByRole("checkbox", { name: "Ssw 1" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("checkbox", { name: "Manufacturing", exact: true }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("checkbox", { name: "N3" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("checkbox", { name: "vi" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("checkbox", { name: "Osaka" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Hours per week").fill("40");
  await page.getByRole("button", { name: "Save profile" }).click();

  // The feed: the matching service recommends the job, with its reasons.
  const card = page.getByRole("button", { name: new RegExp(`TIG welder ${jobTag}`) });
  await expect(card).toBeVisible();
  await expect(card.getByText(/^✓ /).first()).toBeVisible();

  await findAndOpen(page, jobTag);
  await expect(page.getByText(/Japanese: job needs N4 or better; you have N3/)).toBeVisible();
  await page.getByLabel("Message to the employer").fill("TIG welding, 5 years in Hai Phong");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Application sent")).toBeVisible();

  await page.getByRole("tab", { name: /^Applications/ }).click();
  await expect(page.getByTestId("application-status")).toHaveText("Applied");
  const [application] = (await employer.marketplace.listJobApplications({ parent: job.name })).applications;
  expect(application.coverLetter).toBe("TIG welding, 5 years in Hai Phong");
  // The employer shortlists: the change arrives on the app's live stream, no reload.
  await employer.marketplace.updateApplicationStatus({ name: application.name, status: marketplace.ApplicationStatus.SHORTLISTED });
  await expect(page.getByTestId("application-status")).toHaveText("Shortlisted");
  await page.getByRole("tab", { name: /^Inbox/ }).click();
  await expect(page.getByTestId("notification").first()).toBeVisible();
});

test("offline: an application is queued, and sent exactly once when the network returns", async ({ page, context }) => {
  const { api: employer, job, tag: jobTag } = await employerWithJob();
  const worker = await workerAccount();
  await openApp(page);
  await page.getByRole("button", { name: "I have an account" }).click();
  await page.getByLabel("Email").fill(worker.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await findAndOpen(page, jobTag);

  await context.setOffline(true);
  await expect(page.getByText("You are offline")).toBeVisible();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Saved: it will be sent when you are online")).toBeVisible();
  await page.getByRole("tab", { name: /^Applications/ }).click();
  await expect(page.getByTestId("queued-application")).toBeVisible();
  expect((await employer.marketplace.listJobApplications({ parent: job.name })).applications).toHaveLength(0);

  // The first send reaches the platform but its answer is lost (the connection drops):
  // the app cannot know it arrived, keeps it queued and sends it again, the same request
  // with the same request id, which the platform answers with the first response.
  const sends: Buffer[] = [];
  await page.route("**/iworkz.marketplace.v1.MarketplaceService/CreateApplication", async (route) => {
    sends.push(route.request().postDataBuffer() ?? Buffer.alloc(0));
    if (sends.length === 1) {
      await route.fetch();
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  await context.setOffline(false);
  await expect(page.getByTestId("queued-application")).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId("application-status")).toHaveText("Applied");
  expect(sends.length).toBeGreaterThanOrEqual(2);
  expect(sends[1].equals(sends[0])).toBe(true);
  const ids = sends[0].toString("latin1").match(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g) ?? [];
  expect(ids.filter((id) => !job.name.includes(id))).toHaveLength(1); // the request id
  const applications = (await employer.marketplace.listJobApplications({ parent: job.name })).applications;
  expect(applications).toHaveLength(1);
  expect(applications[0].worker).toBe(`workers/${worker.id}`);

  // Offline again: jobs and applications are still there, from the device's copy.
  await context.setOffline(true);
  await page.getByRole("tab", { name: /^Jobs/ }).click();
  await page.getByLabel("Search jobs").fill(jobTag);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByText("Offline: showing saved jobs")).toBeVisible();
  await expect(page.getByRole("button", { name: new RegExp(`TIG welder ${jobTag}`) })).toBeVisible();
  await page.getByRole("tab", { name: /^Applications/ }).click();
  await expect(page.getByTestId("application-status")).toHaveText("Applied");
});
