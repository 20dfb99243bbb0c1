import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.unit.test.ts', 'tests/**/*.unit.test.ts'] } },
      { extends: true, test: { name: 'int', include: ['src/**/*.int.test.ts', 'tests/**/*.int.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['src/**/*.e2e.test.ts', 'tests/**/*.e2e.test.ts'] } },
    ],
  },
});
