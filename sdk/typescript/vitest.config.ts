import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One worker: the platform is shared and the machine is small.
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
  },
});
