import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30000,
    hookTimeout: 60000,
    // Browser suites start Chromium and servers; two cores are all CI has.
    maxWorkers: 2,
    // On a loaded 2-core CI machine a real-browser timing can slip once; a second failure
    // is a failure. Locally every test runs once, so flakiness shows up where it is fixed.
    retry: process.env.CI ? 1 : 0,
  },
});
