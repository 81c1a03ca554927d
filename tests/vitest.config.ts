import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/setup-websocket.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Files share one database; run them one at a time so counts stay predictable.
    fileParallelism: false,
  },
});
