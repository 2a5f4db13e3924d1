import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests load build/*.wasm; `npm test` builds first (pretest).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
