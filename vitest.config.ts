import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["shared/src/**/*.test.ts", "native-host/src/**/*.test.ts", "extension/**/*.test.{ts,tsx}"],
    environment: "node",
    testTimeout: 30_000,
  },
});
