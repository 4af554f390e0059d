// An admin accredits a new issuer for JLPT results, grants a role, and finds both steps' traces: the
// issuer can now issue, and the audit log lists the role change by this admin (filters, field errors).
// Then marketplace's log: an admin's read of a worker's personal data appears there, found by keyboard.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { apiLogin, apiWorker, login, shot, unique, visit } from "./helpers";

// devstack.populate's admin; its password is generated and kept in the platform's state folder.
const ADMIN = "admin@iworkz.local";
const adminPassword = () => readFileSync(path.join(process.env.IWORKZ_E2E_STATE!, "state", "admin-password"), "utf8").trim();

test("an admin accredits an issuer and reads the audit log", async ({ page, request }) => {
  test.setTimeout(360_000);
  // A new issuer organisation signs up (through the API, a second actor).
  const email = `${unique("school")}@example.com`;
  const signed = await request.post("/v1/auth:signUp", {
    data: { email, password: "correct horse battery staple", displayName: "Kato Yumi", accountType: "ACCOUNT_TYPE_ISSUER", organizationDisplayName: `Osaka Japanese School ${unique("o")}` },
  });
  expect(signed.status(), await signed.text()).toBe(200);
  const issuer = await apiLogin(request, email, "correct horse battery staple");
  const user = `users/${issuer.sub}`;
  const registered = await request.post(`/v1/issuers/${issuer.org}:register`, {
    headers: { authorization: `Bearer ${issuer.token}` },
    data: { displayName: "Osaka Japanese School" },
  });
  expect(registered.status(), await registered.text()).toBe(200);

  await login(page, ADMIN, adminPassword());
  await visit(page, `/admin?email=${encodeURIComponent(email)}`, "admin", async () => {
    await expect(page.getByTestId("user")).toHaveCount(1);
  });

  // Accredit: a wrong ID is refused next to its field, then the organisation's ID is accepted.
  await page.getByLabel("Issuer (organisation) ID").fill("not-an-id");
  await page.getByLabel("Credential type").selectOption("JlptResultCredential");
  await page.getByRole("button", { name: "Accredit" }).click();
  await expect(page.locator("#issuer-error")).toBeVisible();
  await page.getByLabel("Issuer (organisation) ID").fill(issuer.org);
  await page.getByRole("button", { name: "Accredit" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  const accredited = await request.get(`/v1/issuers/${issuer.org}/accreditations`);
  expect(await accredited.text()).toContain("JlptResultCredential");

  // Grant the issuer's user the employer role from the users table.
  const row = page.getByTestId("user").filter({ hasText: email });
  await row.getByLabel("Role").selectOption("ROLE_EMPLOYER");
  await row.getByRole("button", { name: "Grant or revoke" }).click();
  await expect(row.getByRole("cell").nth(2)).toContainText("employer");

  // The audit log: the role change, by this admin, about that user.
  await visit(page, `/admin/audit?target=${encodeURIComponent(user)}`, "admin-audit", async () => {
    await expect(page.locator('[data-testid="audit-event"][data-action="change_roles"]')).toHaveCount(1);
  });
  const entry = page.locator('[data-testid="audit-event"][data-action="change_roles"]');
  await expect(entry).toContainText(user);
  await expect(entry).toContainText("employer");
  const admin = (await entry.getByRole("cell").nth(1).textContent())!.trim();
  expect(admin).toMatch(/^users\/[0-9a-f-]{36}$/);

  // Filters: by action and actor (the entry stays), a day range after today (nothing), a bad actor (its field says why).
  await page.getByLabel("Action").fill("change_roles");
  await page.getByLabel("Who").fill(admin);
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/action=change_roles/);
  await expect(page.getByTestId("audit-event").filter({ hasText: user })).toHaveCount(1);
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("From (day)").fill(tomorrow);
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(new RegExp(`startTime=${tomorrow}`));
  await expect(page.getByText("No entries match.")).toBeVisible();
  await page.getByLabel("From (day)").fill("");
  await page.getByLabel("Who").fill("bob");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/actor=bob/);
  await expect(page.locator("#actor-error")).toBeVisible();
  await expect(page.getByLabel("Who")).toHaveAttribute("aria-invalid", "true");
  await shot(page, "en", "admin-audit-field-error");
});

test("an admin's read of a worker's personal data appears in marketplace's audit log", async ({ page, request }) => {
  test.setTimeout(240_000);
  // A worker with personal data on the profile (through the API, a second actor).
  const worker = await apiWorker(request, "Tran Thi Mai");
  const saved = await request.patch(`/v1/workers/${worker.sub}`, {
    headers: { authorization: `Bearer ${worker.token}` },
    data: { name: `workers/${worker.sub}`, phone: "+818055556666" },
    params: { updateMask: "phone" },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  // The admin reads that profile (personal data included) through the API.
  const admin = await apiLogin(request, ADMIN, adminPassword());
  const read = await request.get(`/v1/workers/${worker.sub}`, { headers: { authorization: `Bearer ${admin.token}` } });
  expect(read.status(), await read.text()).toBe(200);
  expect((await read.json()).profile.phone).toBe("+818055556666");

  // In the browser: identity's log first, filtered by the worker; the tab to marketplace's log by keyboard.
  const target = `workers/${worker.sub}`;
  await login(page, ADMIN, adminPassword());
  await page.goto(`/admin/audit?target=${encodeURIComponent(target)}`);
  const tabs = page.getByRole("navigation", { name: "Audit logs" });
  await expect(tabs.getByRole("link", { name: "Accounts" })).toHaveAttribute("aria-current", "page");
  await tabs.getByRole("link", { name: "Marketplace" }).focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(/service=marketplace/);
  await expect(tabs.getByRole("link", { name: "Marketplace" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByLabel("On what")).toHaveValue(target); // the filters came along

  const entry = page.locator('[data-testid="audit-event"][data-action="read_worker_personal_data"]');
  await visit(page, `/admin/audit?service=marketplace&target=${encodeURIComponent(target)}`, "admin-audit-marketplace", async () => {
    await expect(entry).toHaveCount(1);
  });
  await expect(entry).toContainText(`users/${admin.sub}`);
  await expect(entry).toContainText(target);
  await expect(entry).toContainText("phone");
  await expect(page.getByTestId("audit-log")).not.toContainText("+818055556666"); // which fields, never their values

  // Filtering by the action keeps it; a bad actor is refused next to its field on this log too.
  await page.getByLabel("Action").fill("read_worker_personal_data");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/action=read_worker_personal_data/);
  expect(new URL(page.url()).searchParams.get("service")).toBe("marketplace");
  await expect(entry).toHaveCount(1);
  await page.getByLabel("Who").fill("bob");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/actor=bob/);
  await expect(page.locator("#actor-error")).toBeVisible();

  // Credentials' log opens too (its own entries: this test made none about the worker).
  await page.getByRole("navigation", { name: "Audit logs" }).getByRole("link", { name: "Credentials" }).click();
  await page.waitForURL(/service=credentials/);
  await expect(page.getByRole("heading", { level: 2, name: "Credentials" })).toBeVisible();
});
