// Account safety through the web app: the verification link, signed-in devices and "sign out everywhere
// else", two-step sign-in (TOTP enrolment by QR key, recovery codes, the login's second step), and a
// password reset by emailed link (a common password refused next to its field).
import { expect, test, type Page } from "@playwright/test";
import { LOCALES, axe, setLocale, shot, unique, visit } from "./helpers";
import { mailedLink, totp } from "./mail";

const PASSWORD = "correct horse battery staple";

async function signUpByApi(request: import("@playwright/test").APIRequestContext, name: string) {
  const email = `${unique("acct")}@example.com`;
  const signed = await request.post("/v1/auth:signUp", { data: { email, password: PASSWORD, displayName: name, accountType: "ACCOUNT_TYPE_WORKER" } });
  expect(signed.status(), await signed.text()).toBe(200);
  return email;
}

async function logInWithCode(page: Page, email: string, password: string, code: string) {
  await setLocale(page, "en");
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Enter your sign-in code" })).toBeVisible();
  // By keyboard: the code field has the focus, Enter sends it.
  await expect(page.getByLabel("Code", { exact: true })).toBeFocused();
  await expect(page.getByLabel("Code", { exact: true })).toHaveValue(""); // nothing of the password step left in it
  await page.keyboard.type(code);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

test("the verification link confirms the address", async ({ page, request }) => {
  await visit(page, "/login", "login"); // the login page itself, checked and photographed in ja and en
  // A link works once: one new account per language.
  for (const locale of LOCALES) {
    const email = await signUpByApi(request, "Nguyen Van An");
    const link = await mailedLink(email, "/verify-email");
    await setLocale(page, locale);
    await page.goto(link);
    await expect(page.getByTestId("email-verified")).toContainText(email);
    await axe(page, `verify-email [${locale}]`);
    await shot(page, locale, "verify-email");
    // Opened again, the used link says so.
    await page.reload();
    await expect(page.locator("main").getByRole("alert")).toBeVisible();
  }
});

test("a worker signs out other devices, turns on two-step sign-in and resets the password", async ({ page, request }) => {
  test.setTimeout(480_000);
  const email = `${unique("safe")}@example.com`;
  await setLocale(page, "en");
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Siti Rahayu");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL("**/worker/profile");
  await visit(page, "/account", "account", async () => {
    await expect(page.getByTestId("email-status")).toBeVisible();
  });
  await expect(page.getByTestId("email-status")).toHaveText("not confirmed yet");

  // A second device (a login through the API); the list shows both, this one marked.
  const other = await request.post("/v1/auth:login", { data: { email, password: PASSWORD } });
  expect(other.status(), await other.text()).toBe(200);
  const otherRefresh = (await other.json()).tokens.refreshToken as string;
  await visit(page, "/account/sessions", "account-sessions", async () => {
    await expect(page.getByTestId("session")).toHaveCount(2);
  });
  await expect(page.locator('[data-testid="session"][data-current="true"]')).toHaveCount(1);
  await page.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(page.getByRole("status")).toHaveText("Signed out of 1 other devices.");
  await expect(page.getByTestId("session")).toHaveCount(1);
  const refused = await request.post("/v1/auth:refresh", { data: { refreshToken: otherRefresh } });
  expect(refused.status()).toBe(401);

  // Two-step sign-in: the key under the QR code goes into the "authenticator" (a wrong code first).
  await visit(page, "/account/two-factor", "account-two-factor", async () => {
    await expect(page.locator("main button")).toBeVisible();
  });
  await page.getByRole("button", { name: "Start" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await page.getByLabel("6-digit code").fill("12345x");
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.locator("#code-error")).toBeVisible();
  await expect(page.getByLabel("6-digit code")).toHaveAttribute("aria-invalid", "true");
  await axe(page, "account-two-factor enrolment [en]");
  await shot(page, "en", "account-two-factor-enrol");
  await page.getByLabel("6-digit code").fill(totp(secret));
  await page.getByLabel("6-digit code").press("Enter"); // keyboard: Enter submits the form
  const codes = page.getByTestId("recovery-codes").locator("code");
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.allTextContents()).map((c) => c.trim());
  await axe(page, "account-two-factor recovery codes [en]");
  await shot(page, "en", "account-two-factor-recovery-codes");
  await page.getByRole("button", { name: "I have saved them" }).click();
  await page.waitForURL("**/account");
  await expect(page.getByTestId("totp-status")).toContainText("On");

  // Logging in now takes a second step: a recovery code works once.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Enter your sign-in code" })).toBeVisible();
  await axe(page, "login second step [en]");
  await shot(page, "en", "login-second-step");
  await page.getByLabel("Code", { exact: true }).fill("0000-0000-0000-0000");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator("#code-error")).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(recovery[0]);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));

  // The password reset: asked for by email, the link's form refuses a common password next to the field.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await visit(page, "/reset-password", "reset-password-request");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses this email");
  const link = await mailedLink(email, "/reset-password");
  await visit(page, link, "reset-password");
  await page.getByLabel("New password", { exact: true }).fill("password1234");
  await page.getByLabel("New password again").fill("password1234");
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page.locator("#newPassword-error")).toBeVisible();
  await expect(page.getByLabel("New password", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await shot(page, "en", "reset-password-refused");
  const fresh = "a brand new passphrase 7";
  await page.getByLabel("New password", { exact: true }).fill(fresh);
  await page.getByLabel("New password again").fill(fresh);
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page.getByRole("status")).toContainText("Your password is changed");

  // The new password, and the second factor still on (another recovery code); the reset confirmed the email.
  await logInWithCode(page, email, fresh, recovery[1]);
  await page.goto("/account");
  await expect(page.getByTestId("email-status")).toHaveText("confirmed");
  const old = await request.post("/v1/auth:login", { data: { email, password: PASSWORD } });
  expect(old.status()).toBe(401);
});
