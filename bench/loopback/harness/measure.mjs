// Interleaved measurement: every round runs each variant once, in an order
// rotated per round, so slow drifts of a noisy machine (thermal, neighbours)
// hit all variants alike. Round 0 warms up the JIT and connections and is
// discarded. Throughput is the median over the measured rounds.

/** @typedef {{ ops: number, seconds: number }} Sample */
/** @typedef {{ heapBytes: number, [counter: string]: number }} Snapshot */

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function rotated(list, by) {
  const start = by % list.length;
  return [...list.slice(start), ...list.slice(0, start)];
}

function difference(after, before) {
  const delta = {};
  for (const key of Object.keys(after)) delta[key] = after[key] - (before[key] ?? 0);
  return delta;
}

/**
 * @param {object} plan
 * @param {string} plan.title         shown in progress lines (stderr)
 * @param {string[]} plan.variants
 * @param {number} plan.rounds        measured rounds (a warm-up round is added)
 * @param {(variant: string) => Promise<Sample>} plan.runOnce
 * @param {(variant: string) => Promise<Snapshot>} plan.snapshot  heap after GC, plus counters (spans, …)
 * @param {(variant: string) => Promise<Sample | undefined>} [plan.prime]  an unmeasured run right before each
 *   measured one; its operations count toward CPU/op (its CPU is in the snapshots), not toward throughput
 * @returns {Promise<Array<{ variant: string, rates: number[], rate: number, spread: number, ops: number, delta: Snapshot, heapPer100k: number, cpuPerOp: number }>>}
 */
export async function interleave({ title, variants, rounds, runOnce, snapshot, prime }) {
  const rates = new Map(variants.map((variant) => [variant, []]));
  const ops = new Map(variants.map((variant) => [variant, 0]));
  const primedOps = new Map(variants.map((variant) => [variant, 0]));
  let before;
  for (let round = 0; round <= rounds; round++) {
    const line = [];
    for (const variant of rotated(variants, round)) {
      if (round > 0 && prime) {
        const primed = await prime(variant);
        if (primed) primedOps.set(variant, primedOps.get(variant) + primed.ops);
      }
      const sample = await runOnce(variant);
      const rate = sample.ops / sample.seconds;
      line.push(`${variant} ${Math.round(rate)}/s`);
      if (round === 0) continue;
      rates.get(variant).push(rate);
      ops.set(variant, ops.get(variant) + sample.ops);
    }
    process.stderr.write(`  [${title}] ${round === 0 ? 'warm-up' : `round ${round}/${rounds}`}: ${line.join(', ')}\n`);
    // Heap and counters are taken from the end of warm-up, so start-up allocations don't count as growth.
    if (round === 0) before = await snapshotAll(variants, snapshot);
  }
  const after = await snapshotAll(variants, snapshot);

  return variants.map((variant) => {
    const measured = rates.get(variant);
    const rate = median(measured);
    const delta = difference(after.get(variant), before.get(variant));
    // Every operation since warm-up, primed ones too: the snapshots' CPU, heap and counters include them.
    const allOps = ops.get(variant) + primedOps.get(variant);
    return {
      variant,
      rates: measured,
      rate,
      // (max - min) / median: how much to trust a ratio near a goal.
      spread: (Math.max(...measured) - Math.min(...measured)) / rate,
      ops: allOps,
      delta,
      heapPer100k: (delta.heapBytes / allOps) * 100_000,
      // Over the measured rounds; includes the few in-flight operations drained after each deadline.
      cpuPerOp: delta.cpuMicros / allOps,
    };
  });
}

async function snapshotAll(variants, snapshot) {
  const snapshots = new Map();
  for (const variant of variants) snapshots.set(variant, await snapshot(variant));
  return snapshots;
}

/**
 * One variant measured in several processes in the same round: their samples
 * as one (operations and seconds add up, so the rate is the combined one).
 * A failed operation fails the benchmark: a variant that errors is not fast.
 */
export function combineSamples(samples, label) {
  const sample = {
    ops: samples.reduce((sum, one) => sum + one.ops, 0),
    seconds: samples.reduce((sum, one) => sum + one.seconds, 0),
    failed: samples.reduce((sum, one) => sum + (one.failed ?? 0), 0),
    firstError: samples.find((one) => one.firstError)?.firstError,
  };
  if (sample.failed > 0) throw new Error(`${label}: ${sample.failed} operations failed, first: ${sample.firstError}`);
  return sample;
}

/** Snapshots of a variant's processes as one: every numeric field summed. */
export function sumSnapshots(snapshots) {
  const total = {};
  for (const snapshot of snapshots) {
    for (const [key, value] of Object.entries(snapshot)) {
      if (typeof value === 'number') total[key] = (total[key] ?? 0) + value;
    }
  }
  return total;
}
