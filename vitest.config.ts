import { configDefaults, defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under this condition, so
// tests run against `src` without a rebuild; child-process tests use `dist`.
// The rest are Vite's server defaults less 'module', which points some OTel
// packages at bundler-only builds that Node cannot load.
const conditions = ['tracehop-source', 'node', 'development|production'];

// Suites whose subject is not the Node runtime: the collector and its Cloud Run
// deployment, the JVM (Kotlin fixture, Java agent extension), the loopback
// Google and Cloud Run fakes, the README type-checks and the bench harness.
// They run once, under `pnpm test`; the Node 22 and 24 passes
// (`pnpm test:runtimes`, which sets TRACEHOP_RUNTIME_PASS) leave them out and
// say so. Everything a Node version can change (packages, e2e, user installs,
// the doctor) runs on every Node.
export const runtimeIndependentSuites = [
  'test-fixtures/collector/**',
  'test-fixtures/gcp-fakes/**',
  'test-fixtures/kotlin-backend/**',
  'test-fixtures/readme-snippets/**',
  'bench/test/**',
  // The doctor reading the collector's self-metrics: the collector's side of the doctor.
  'packages/doctor/test/collector-metrics.test.ts',
];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/{src,test}/**/*.test.ts', 'test-fixtures/*/{src,test}/**/*.test.ts', 'bench/test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.TRACEHOP_RUNTIME_PASS ? runtimeIndependentSuites : [])],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own process: OTel globals and AsyncLocalStorage never leak between suites.
    pool: 'forks',
    // Vitest's default on 2 cores is one file at a time. Suites whose tests mostly
    // wait (export delays, probes, servers) finish sooner two at a time; the
    // passes that set TRACEHOP_TEST_WORKERS use it (scripts/test-runtimes.sh,
    // scripts/test-peer-ranges.mjs).
    ...(process.env.TRACEHOP_TEST_WORKERS ? { maxWorkers: Number(process.env.TRACEHOP_TEST_WORKERS) } : {}),
    // CI also keeps a JSON report, from which .ci/run prints the closing "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: process.env.TRACEHOP_TEST_REPORT ?? 'test-results.json' },
  },
});
