import { defineConfig } from "vitest/config";

/** End-to-end tests in real Chromium; one file at a time (each starts its own browser and host). */
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
