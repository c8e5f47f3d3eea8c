import { defineConfig } from "vitest/config";

/**
 * The deployment kit: policy templates (content, XML/plist well-formedness) and the .deb
 * (dpkg -i / doctor --system --live / dpkg -r / --purge on this machine, as root). One file at a time:
 * the .deb test changes system folders.
 */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["__tests__/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
