import { defineConfig } from "vitest/config";

/** Cross-process integration: the built host with the real Rust and Swift children. */
export default defineConfig({
  test: {
    include: ["tests/integration/**/*.integration.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
