// Prints the closing line CI reads: "N passed, N failed" (skipped tests, if any, are reported too).
import { existsSync, readFileSync } from 'node:fs';

const [file, status] = process.argv.slice(2);
if (!existsSync(file)) {
  // Jest never got to run tests (build or global setup failed): count the run itself as one failure.
  console.log(`0 passed, ${status === '0' ? 0 : 1} failed`);
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const failedSuites = r.numRuntimeErrorTestSuites ?? 0;
const failed = r.numFailedTests + failedSuites;
const skipped = r.numPendingTests + (r.numTodoTests ?? 0);
console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
