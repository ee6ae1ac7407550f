// Measures one collector instance's capacity (capacity.ts) at rising span rates
// and prints one line per step, with the load average of this shared machine.
// Usage (from the repository root):
//   pnpm --filter @tracehop/fixture-collector exec tsx src/capacity-main.ts [rate ...] [--seconds N] [--decision-wait 10s]
// Default rates 3000 6000 9000 10500 12000 spans/s, 45 s each, the deployed decision_wait (30 s);
// stops after two steps that did not hold.
import { formatCapacityStep, measureCapacityStep } from './capacity.js';

const args = process.argv.slice(2);
const secondsAt = args.indexOf('--seconds');
const seconds = secondsAt >= 0 ? Number(args.splice(secondsAt, 2)[1]) : 45;
const waitAt = args.indexOf('--decision-wait');
const decisionWait = waitAt >= 0 ? args.splice(waitAt, 2)[1] : undefined;
const rates = args.length > 0 ? args.map(Number) : [3000, 6000, 9000, 10500, 12000];
if (rates.some((rate) => !(rate > 0)) || !(seconds > 0)) {
  console.error('usage: capacity-main.ts [spans-per-second ...] [--seconds N]');
  process.exit(2);
}
let failed = 0;
for (const rate of rates) {
  const step = await measureCapacityStep({ spansPerSecond: rate, durationMs: seconds * 1000, ...(decisionWait ? { decisionWait } : {}) });
  console.log(formatCapacityStep(step));
  failed = step.verdict === 'held' ? 0 : failed + 1;
  if (failed === 2) break;
}
