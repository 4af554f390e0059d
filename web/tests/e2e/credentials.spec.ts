// An issuer issues a JLPT credential; the worker shares only "JLPT ≥ N4"; a logged-out verifier checks
// it; the issuer revokes it, and the verifier then sees it revoked.
import { expect, test } from "@playwright/test";
import { JLPT_CENTRE, login, shot, unique, visit } from "./helpers";

test("a JLPT credential is issued, shared selectively, verified and revoked", async ({ page, browser }) => {
  const demo = process.env.IWORKZ_E2E_DEMO_PASSWORD!;
  // The worker signs up and finds the ID the issuer needs in the wallet.
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Dewi Lestari");
  await page.getByLabel("Email").fill(`${unique("dewi")}@example.com`);
  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL("**/worker/profile");
  await visit(page, "/worker/wallet", "worker-wallet-empty");
  const workerId = (await page.getByTestId("worker-id").textContent())!.trim();

  // The accredited JLPT test centre issues an N3 result as an SD-JWT.
  const issuerContext = await browser.newContext({ ignoreHTTPSErrors: true });
  const issuer = await issuerContext.newPage();
  await login(issuer, JLPT_CENTRE, demo);
  await visit(issuer, "/issuer", "issuer");
  await issuer.getByLabel("Credential type").selectOption("JlptResultCredential");
  await issuer.getByLabel("Worker ID (shown in the worker's wallet)").fill(workerId);
  await issuer.getByLabel("Name on the credential").fill("Dewi Lestari");
  await issuer.getByLabel("JLPT level").selectOption("N3");
  await issuer.getByLabel("Test date").fill("2025-12-07");
  await issuer.getByLabel("Certificate number").fill(unique("JLPT").toUpperCase());
  await issuer.getByRole("button", { name: "Issue" }).click();
  await expect(issuer.getByRole("status")).toHaveText("Issued.");
  const issued = issuer.locator(`[data-testid="issued"][data-subject="${workerId}"]`).first();
  await expect(issued).toBeVisible();

  // The worker shares only that the level is at least N4.
  await page.reload();
  const sd = page.locator('[data-testid="credential"][data-format="CREDENTIAL_FORMAT_SD_JWT"]').first();
  await expect(sd).toBeVisible();
  await visit(page, "/worker/wallet", "worker-wallet");
  await sd.locator("summary").click();
  await sd.getByLabel("Only that my JLPT level is at least N4").check();
  await sd.getByRole("button", { name: "Create share link" }).click();
  const shareUrl = (await sd.getByTestId("share-url").textContent())!.trim();
  await expect(sd.getByRole("img", { name: "QR code of the share link" })).toBeVisible();
  await shot(page, "en", "worker-wallet-share");

  // A verifier without an account opens the link: every check passes; only the N4 claim is disclosed.
  const verifierContext = await browser.newContext({ ignoreHTTPSErrors: true });
  const verifier = await verifierContext.newPage();
  const sharePath = new URL(shareUrl).pathname + new URL(shareUrl).search;
  await visit(verifier, sharePath, "verifier-shared", async () => {
    await expect(verifier.getByTestId("verdict")).toHaveAttribute("data-verified", "true");
  });
  await expect(verifier.getByTestId("disclosed")).toContainText("jlptAtLeastN4");
  await expect(verifier.getByTestId("disclosed")).not.toContainText("Dewi");
  await visit(verifier, "/verify", "verifier");
  await verifier.getByLabel("Credential, presentation or share link").fill(shareUrl);
  await verifier.getByRole("button", { name: "Verify" }).click();
  await expect(verifier.getByTestId("verdict")).toHaveAttribute("data-verified", "true");

  // The issuer revokes it; the verifier now sees it revoked.
  await issued.getByLabel("Reason").fill("issued in error");
  await issued.getByRole("button", { name: "Revoke" }).click();
  await expect(issued.getByTestId("issued-state")).toHaveText("Revoked");
  await expect(async () => {
    await verifier.goto(sharePath);
    await expect(verifier.getByTestId("verdict")).toHaveAttribute("data-verified", "false", { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(verifier.locator('[data-testid="check"][data-result="CHECK_RESULT_FAIL"]').first()).toContainText(/revoked/i);
  await shot(verifier, "en", "verifier-revoked");
  await issuerContext.close();
  await verifierContext.close();
});
