// "Hold to talk" on the assistant page: Chromium's fake microphone plays a sentence spoken by espeak-ng
// while the button is held; the recording goes to the voice service's Ask through the app's proxy, and
// the transcript and the agent's reply appear as chat turns, and the reply comes back spoken (a WAV file).
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
  const answered = page.waitForResponse((r) => /\/api\/v1\/users\/[^/]+\/voice:ask\?/.test(r.url()), {
    timeout: 180_000,
  });
  await page.mouse.up();

  // The Ask call as the page sent it and as the voice service answered it (REST through the app's proxy).
  const response = await answered;
  expect(response.status()).toBe(200);
  expect(response.request().headers()["content-type"]).toMatch(/^audio\/webm/); // Chromium's MediaRecorder
  const answer = await response.json();
  expect(answer.transcript.text).toMatch(/weld/i);
  expect(answer.replyText).not.toBe("");
  // The reply came back spoken: a WAV file (RIFF, PCM) of more than half a second.
  expect(answer.audio.contentType).toBe("audio/wav");
  const wav = Buffer.from(answer.audio.data, "base64");
  expect(wav.subarray(0, 4).toString("latin1")).toBe("RIFF");
  expect(wav.subarray(8, 12).toString("latin1")).toBe("WAVE");
  const seconds = (wav.length - 44) / wav.readUInt32LE(28); // data bytes / byte rate
  expect(seconds).toBeGreaterThan(0.5);

  const heard = page.getByTestId("chat-me").last();
  await expect(heard).toContainText(/weld/i, { timeout: 120_000 });
  await expect(heard).toContainText(answer.transcript.text);
  const reply = page.getByTestId("chat-bot").last();
  await expect(reply).not.toBeEmpty({ timeout: 30_000 });
  await expect(page.locator("p.error[role=alert]")).toHaveCount(0);
});
