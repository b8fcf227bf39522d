import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    pool: "forks",
    // Most suites wait on a database, a child process or Chromium rather than the CPU: three files at a time
    // halve the run on a 2-core machine (vitest's default there is one).
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites that need a service print why they skip; under CI=true they fail instead (tests/helpers/services.ts).
    reporters: process.env.VITEST_JSON_REPORT ? ["default", ["json", { outputFile: process.env.VITEST_JSON_REPORT }]] : ["default"],
  },
});
