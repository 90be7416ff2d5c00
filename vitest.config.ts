import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30000,
    hookTimeout: 60000,
    // Browser suites start Chromium and servers; two cores are all CI has.
    maxWorkers: 2,
  },
});
