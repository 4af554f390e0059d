import react from "@vitejs/plugin-react";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    environment: "jsdom",
    include: ["tests/unit/**/*.test.{ts,tsx}"],
    reporters: process.env.JUNIT_DIR ? ["default", "junit"] : ["default"],
    outputFile: process.env.JUNIT_DIR ? { junit: path.join(process.env.JUNIT_DIR, "vitest.xml") } : undefined,
  },
});
