/**
 * "Hold to talk" in the web export, against the real platform (voice service with its packaged
 * Whisper models and espeak-ng, the agent, marketplace). Chromium's fake microphone plays a WAV file
 * spoken by espeak-ng; Chromium reads the file afresh each time a recording opens the microphone, so
 * the test writes the next sentence before each press: search, "apply to the first one", "yes".
 * The app records with expo-audio (MediaRecorder: Opus in WebM) and calls the voice service's Ask over
 * gRPC-web; the test reads each call as it went over the wire.
 */
import { expect, test, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { CHROMIUM, chromiumArgs } from "./browser";
import { employerWithJob, PASSWORD, workerAccount, edge } from "./platform";
import { voice } from "../../sdk/typescript/src/index";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iworkz-mobile-voice-"));
const MICROPHONE = path.join(dir, "microphone.wav");
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true })); // Playwright loads this file in the runner and the worker

/** Writes what the fake microphone says next (espeak-ng; half a second of silence before, one after). Returns its length in ms. */
function say(sentence: string): number {
  const spoken = path.join(dir, "spoken.wav");
  execFileSync("espeak-ng", ["-v", "en-us", "-s", "140", "-w", spoken, sentence]);
  execFileSync("sox", [spoken, "-r", "16000", "-c", "1", "-b", "16", `${MICROPHONE}.tmp.wav`, "pad", "0.5", "1"]);
  fs.renameSync(`${MICROPHONE}.tmp.wav`, MICROPHONE);
  const wav = fs.readFileSync(MICROPHONE);
  return Math.round(((wav.length - 44) / (16000 * 2)) * 1000);
}
say("Hello.");

test.use({
  permissions: ["microphone"],
  launchOptions: {
    executablePath: CHROMIUM,
    args: [
      ...chromiumArgs(),
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${MICROPHONE}%noloop`, // silence once the sentence is over
      "--autoplay-policy=no-user-gesture-required",
    ],
  },
});

/** The one message of a binary gRPC-web body (a data frame: flag 0, 4-byte length, message). */
function grpcWebMessage(body: Buffer): Uint8Array {
  expect(body[0]).toBe(0);
  const length = body.readUInt32BE(1);
  return new Uint8Array(body.subarray(5, 5 + length));
}

/** Holds the button (mouse, or the space bar) while the microphone says `sentence`; returns the Ask call as sent and answered. */
async function speak(page: Page, sentence: string, by: "mouse" | "keyboard") {
  const ms = say(sentence);
  const button = page.getByRole("button", { name: "Hold to talk" });
  const answered = page.waitForResponse((r) => r.url().endsWith("/iworkz.voice.v1.VoiceService/Ask"), { timeout: 180_000 });
  if (by === "mouse") {
    await button.hover();
    await page.mouse.down();
  } else {
    await button.focus();
    await page.keyboard.down(" ");
  }
  await expect(page.getByText("Listening… release to send")).toBeVisible();
  await page.waitForTimeout(ms); // the microphone plays the whole sentence while the button is held
  if (by === "mouse") await page.mouse.up();
  else await page.keyboard.up(" ");
  const response = await answered;
  expect(response.status()).toBe(200);
  const request = fromBinary(voice.AskRequestSchema, grpcWebMessage(response.request().postDataBuffer()!));
  const answer = fromBinary(voice.AskResponseSchema, grpcWebMessage(await response.body()));
  await expect(button).toHaveText("Hold to talk", { timeout: 30_000 });
  return { request, answer };
}

/** A published welding job in Osaka that the test's worker (SSW (i), manufacturing, JLPT N3) may apply to. */
const weldingJobInOsaka = () =>
  employerWithJob({
    employer: "Naniwa Metal Works",
    title: "Welding operator",
    description: "TIG and MIG welding of steel frames.",
    city: "Osaka",
    wageYen: [1300, 1600],
  });

test("a worker talks to the assistant: hears the welding jobs, applies to the first by voice, confirms with a spoken yes", async ({ page }) => {
  test.setTimeout(600_000); // three utterances through Whisper on a shared 2-core machine
  await weldingJobInOsaka();
  const worker = await workerAccount();
  await page.goto(`/?edge=${encodeURIComponent(edge())}`);
  await page.getByRole("button", { name: "I have an account" }).click();
  await page.getByLabel("Email").fill(worker.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("tab", { name: /^Assistant/ }).click();

  // 1. The search, holding the button with the mouse.
  const search = await speak(page, "Find welding jobs in Osaka.", "mouse");
  expect(search.request.parent).toBe(`users/${worker.id}`);
  expect(search.request.languageCode).toBe("en");
  expect(search.request.audio!.contentType).toMatch(/^audio\/webm/); // what Chromium's MediaRecorder records
  expect(search.request.audio!.data.length).toBeGreaterThan(1000);
  expect(search.answer.transcript!.text).toMatch(/weld/i);
  expect(search.answer.toolCalls.map((c) => [c.name, c.ok])).toContainEqual(["search_jobs", true]);
  await expect(page.getByTestId("chat-me").last()).toHaveText(search.answer.transcript!.text);
  await expect(page.getByTestId("chat-assistant").last()).toHaveText(search.answer.replyText);
  expect(search.answer.replyText).toMatch(/weld/i);
  // The reply came spoken, as a WAV file, and can be played again.
  expect(search.answer.audio!.contentType).toBe("audio/wav");
  const wav = Buffer.from(search.answer.audio!.data);
  expect(wav.subarray(0, 4).toString("latin1")).toBe("RIFF");
  const seconds = (wav.length - 44) / wav.readUInt32LE(28);
  expect(seconds).toBeGreaterThan(1);
  await expect(page.getByRole("button", { name: `Play the reply again (${seconds.toFixed(1)} s)` })).toBeVisible();

  // 2. "Apply to the first one", holding the space bar: the agent asks, nothing is written yet.
  const apply = await speak(page, "Apply to the first one.", "keyboard");
  expect(apply.request.conversation).toBe(search.answer.conversation);
  const prompt = apply.answer.confirmation!.prompt;
  expect(prompt).toMatch(/apply/i);
  await expect(page.getByTestId("confirmation")).toHaveText(prompt);
  await expect(page.getByTestId("say-yes-or-no")).toHaveText("Say yes or no (hold to talk)");
  await expect(page.getByRole("button", { name: "Yes, do it" })).toHaveCount(0);
  const me = `workers/${worker.id}`;
  expect((await worker.api.marketplace.listWorkerApplications({ parent: me })).applications).toHaveLength(0);

  // 3. "Yes": the application exists, for the job the question named.
  const yes = await speak(page, "Yes.", "mouse");
  expect(yes.request.conversation).toBe(search.answer.conversation);
  expect(yes.answer.transcript!.text.toLowerCase()).toMatch(/^yes/);
  expect(yes.answer.toolCalls.map((c) => [c.name, c.ok])).toContainEqual(["apply_to_job", true]);
  await expect(page.getByTestId("say-yes-or-no")).toHaveCount(0);
  const applications = (await worker.api.marketplace.listWorkerApplications({ parent: me })).applications;
  expect(applications).toHaveLength(1);
  const { job } = await worker.api.marketplace.getJob({ name: applications[0].job });
  expect(prompt).toContain(job!.title);
  await expect(page.locator("[data-testid=voice-problem]")).toHaveCount(0);
});
