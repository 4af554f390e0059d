import { defineConfig } from "@playwright/test";
import { CHROMIUM, chromiumArgs } from "./e2e/browser";

export default defineConfig({
  testDir: "e2e",
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"], ["junit", { outputFile: `${process.env.JUNIT_DIR ?? "test-results"}/mobile-e2e.xml` }]],
  use: {
    baseURL: process.env.IWORKZ_WEB,
    trace: "off",
    launchOptions: { executablePath: CHROMIUM, args: chromiumArgs() },
  },
});
