import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages export their TypeScript sources under this condition,
    // so tests run against `src` without a rebuild; child-process tests use `dist`.
    conditions: ['tracehop-source'],
  },
  test: {
    include: ['packages/*/{src,test}/**/*.test.ts', 'test-fixtures/*/{src,test}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own process: OTel globals and AsyncLocalStorage never leak between suites.
    pool: 'forks',
  },
});
