import react from "@vitejs/plugin-react";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    environment: "jsdom",
    include: ["tests/unit/**/*.test.{ts,tsx}"],
    // A file's first render pays jsdom's and React's warm-up, seconds on a loaded 2-core machine; the
    // default 5 s failed there. No test here measures time.
    testTimeout: 30_000,
    reporters: process.env.JUNIT_DIR ? ["default", "junit"] : ["default"],
    outputFile: process.env.JUNIT_DIR ? { junit: path.join(process.env.JUNIT_DIR, "vitest.xml") } : undefined,
  },
});
