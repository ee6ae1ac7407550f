import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under this condition, so
// tests run against `src` without a rebuild; child-process tests use `dist`.
// The rest are Vite's server defaults less 'module', which points some OTel
// packages at bundler-only builds that Node cannot load.
const conditions = ['tracehop-source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/{src,test}/**/*.test.ts', 'test-fixtures/*/{src,test}/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own process: OTel globals and AsyncLocalStorage never leak between suites.
    pool: 'forks',
    // CI also keeps a JSON report, from which .ci/run prints the closing "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: process.env.TRACEHOP_TEST_REPORT ?? 'test-results.json' },
  },
});
