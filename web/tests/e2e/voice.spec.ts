// "Hold to talk" on the assistant page: Chromium's fake microphone plays a sentence spoken by espeak-ng
// while the button is held; the recording goes to the voice service's Ask through the app's proxy, and
// the transcript and the agent's reply appear as chat turns.
import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { apiWorker, axe, login } from "./helpers";

const WAV = path.resolve(import.meta.dirname, "..", "..", "..", "build", "web-voice", "find-welding-jobs.wav");
fs.mkdirSync(path.dirname(WAV), { recursive: true });
execFileSync("espeak-ng", ["-v", "en-us", "-s", "140", "-w", WAV, "Find welding jobs in Osaka."]);

test.use({
  permissions: ["microphone"],
  launchOptions: {
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${WAV}`,
    ],
  },
});

test("a worker asks the assistant by voice, holding the button", async ({ page, request }) => {
  const worker = await apiWorker(request, "Tran Thi Mai");
  await login(page, worker.email, worker.password);
  await page.goto("/worker/assistant");
  const button = page.getByTestId("hold-to-talk");
  await expect(button).toHaveText("Hold to talk");
  await axe(page, "assistant hold to talk [en]");

  await button.hover();
  await page.mouse.down();
  await expect(button).toHaveAttribute("aria-pressed", "true");
  await page.waitForTimeout(2600); // the sentence is about 2 s long; the fake microphone repeats it
  await page.mouse.up();

  const heard = page.getByTestId("chat-me").last();
  await expect(heard).toContainText(/weld/i, { timeout: 120_000 });
  const reply = page.getByTestId("chat-bot").last();
  await expect(reply).not.toBeEmpty({ timeout: 30_000 });
  await expect(page.locator("p.error[role=alert]")).toHaveCount(0);
});
