import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    setupFiles: ["./tests/setup.ts"],
    expect: { requireAssertions: true },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share one PostgreSQL and Redis; each test file isolates itself with its own
    // database, schema or key prefix, so files may run in parallel on the two cores.
    pool: "forks",
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
  },
});
