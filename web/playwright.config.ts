import { defineConfig } from "@playwright/test";
import path from "node:path";

const junit = process.env.JUNIT_DIR ? [["junit", { outputFile: path.join(process.env.JUNIT_DIR, "playwright.xml") }] as const] : [];

// Debian's Chromium (never `playwright install`), against the platform global-setup starts on free ports.
export default defineConfig({
  testDir: "tests/e2e",
  globalSetup: "./tests/e2e/global-setup.ts",
  timeout: 240_000,
  expect: { timeout: 30_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [["list"], ...junit],
  outputDir: "../build/web-test-output",
  use: {
    baseURL: process.env.IWORKZ_E2E_URL,
    ignoreHTTPSErrors: true, // the edge's development CA
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    trace: "retain-on-failure",
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
      ],
    },
  },
});
