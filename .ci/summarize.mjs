// Adds up vitest's JSON reports (one per Node runtime) into the plain closing
// line CI reads: "N passed, N failed" (", N skipped" when any were). Exits
// non-zero when no test ran, any failed, or any was skipped: a skipped suite
// is not a pass.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files.length ? files : ['test-results.json']) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`no test report at ${file}: ${error.message}`);
    process.exit(1);
  }
  console.log(`${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(passed > 0 && failed === 0 && skipped === 0 ? 0 : 1);
