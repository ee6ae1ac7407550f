// Capacity of one collector instance (issue 22, item 5): the deployed config
// (sampling.yaml + cloud-run.yaml + self-telemetry.yaml) with the memory
// settings of collector/deploy/service.yaml, pinned to one CPU as a 1-vCPU
// Cloud Run instance is (GOMAXPROCS=1, `taskset` on every thread), offered a
// steady span rate of realistic traces (3 spans, a few attributes, 5 % errors
// kept by tail sampling) for longer than decision_wait, from a flood process
// pinned to the other CPUs. Each step reports what gives out first: num_traces
// (more new traces within decision_wait than it holds: the oldest are decided
// early), refusals (memory_limiter), the receiver not keeping up (spans not
// sent on time), the decision tick (tail sampling decides once a second; a
// tick slower than that delays every decision), or memory; and whether the
// flood process itself was the limit (its CPU).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { collectorDir } from './binary.js';
import { readServiceYaml } from './cloud-run-service.js';
import { startSelfMonitoredCollector } from './self-monitored.js';
import { startSpanFloodProcess } from './span-flood-process.js';
import type { SpanFloodResult } from './span-flood.js';

/** Options for {@link measureCapacityStep}. */
export interface CapacityStepOptions {
  spansPerSecond: number;
  /** How long the rate is offered; longer than decision_wait to reach steady state. @default 45000 */
  durationMs?: number;
  /** The CPU the collector is pinned to. @default 0 */
  cpu?: number;
  /** DECISION_WAIT for the step. @default service.yaml's (30s) */
  decisionWait?: string;
}

/** One step's measurements. */
export interface CapacityStep {
  spansPerSecond: number;
  offered: SpanFloodResult;
  /** Spans due at the rate but not sent (the collector had not answered the previous requests, or the flood was too slow), per cent of due. */
  notSentPercent: number;
  /** CPU the flood process used, per cent of one core: near 100, the flood and not the collector was the limit. */
  floodCpuPercent: number;
  /** Spans refused with 503 (memory_limiter), per cent of sent. */
  refusedPercent: number;
  maxRssMiB: number;
  maxHeapMiB: number;
  maxTracesOnMemory: number;
  /** Decision ticks over the steady part of the step: how many, and how many took 1 s or more. */
  ticks: number;
  slowTicks: number;
  /** Upper bound of the histogram bucket holding the 99th percentile tick, ms. */
  tickP99Ms: number;
  /** CPU used by the collector over the steady part (its last two thirds), per cent of one core (/proc). */
  cpuPercent: number;
  droppedTooEarly: number;
  /** The CPUs the collector's threads were allowed on (/proc/<pid>/status Cpus_allowed_list), and its GOMAXPROCS. */
  collectorCpus: string;
  /** What gave out first, or 'held'. */
  verdict: 'held' | 'num_traces' | 'refusals' | 'receiver' | 'decision tick' | 'memory';
  loadAverage: number[];
}

const service = () => readServiceYaml(`${collectorDir}deploy/service.yaml`);

/** Pids of this process's children (Linux /proc). */
function children(): Set<number> {
  const pids = new Set<number>();
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    for (const pid of readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean)) pids.add(Number(pid));
  }
  return pids;
}

const pin = (pid: number, cpus: string) => execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Offers one rate to a fresh collector and measures it. */
export async function measureCapacityStep(options: CapacityStepOptions): Promise<CapacityStep> {
  const spec = service();
  const durationMs = options.durationMs ?? 45_000;
  const cpu = options.cpu ?? 0;
  const others = Array.from({ length: availableParallelism() }, (_, i) => i).filter((i) => i !== cpu);
  const env: Record<string, string> = { ...Object.fromEntries(['GOMEMLIMIT', 'MEMORY_LIMIT_MIB', 'MEMORY_SPIKE_LIMIT_MIB', 'DECISION_WAIT'].map((k) => [k, spec.env[k]!])), GOMAXPROCS: '1' };
  if (options.decisionWait) env.DECISION_WAIT = options.decisionWait;
  const before = children();
  const run = await startSelfMonitoredCollector({ env, decisionWait: env.DECISION_WAIT! });
  try {
    const [collectorPid] = [...children()].filter((pid) => !before.has(pid));
    if (collectorPid === undefined) throw new Error('collector process not found among the children');
    pin(collectorPid, String(cpu));
    const collectorCpus = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${collectorPid}/status`, 'utf8'))?.[1] ?? '?';
    const flood = await startSpanFloodProcess({
      url: run.collector.otlpHttpUrl,
      spansPerSecond: options.spansPerSecond,
      spansPerRequest: Math.max(30, Math.round(options.spansPerSecond / 20 / 3) * 3),
      spansPerTrace: 3,
      errorEvery: 20,
      distinctNames: 6,
      attributes: { 'tenant.id': 'hospital_b', 'rpc.method': 'GetPatient', 'graphql.operation.name': 'GetPatient', 'graphql.operation.type': 'query' },
      concurrency: 8,
    });
    if (others.length > 0) pin(flood.pid, others.join(','));
    const floodCpuStart = cpuSeconds(flood.pid);
    let collectorCpuSteady: { at: number; seconds: number } | undefined;
    const steadyTimer = setTimeout(() => (collectorCpuSteady = { at: performance.now(), seconds: cpuSeconds(collectorPid) }), durationMs / 3);
    const startedAt = performance.now();
    let maxRss = 0;
    const sampling = setInterval(() => void run.collector.process.rssBytes().then((rss) => (maxRss = Math.max(maxRss, rss))), 250);
    const steadyFrom = Date.now() + durationMs / 3;
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const floodCpuPercent = (100 * (cpuSeconds(flood.pid) - floodCpuStart)) / ((performance.now() - startedAt) / 1000);
    clearTimeout(steadyTimer);
    const cpuPercent = collectorCpuSteady ? (100 * (cpuSeconds(collectorPid) - collectorCpuSteady.seconds)) / ((performance.now() - collectorCpuSteady.at) / 1000) : NaN;
    const offered = await flood.stop();
    clearInterval(sampling);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // the last self-metrics
    return { ...summarize(options.spansPerSecond, offered, { flood: floodCpuPercent, collector: cpuPercent }, run.points(), steadyFrom, maxRss, Number(env.MEMORY_LIMIT_MIB) - Number(env.MEMORY_SPIKE_LIMIT_MIB)), collectorCpus };
  } finally {
    await run.stop();
  }
}

type Points = ReturnType<Awaited<ReturnType<typeof startSelfMonitoredCollector>>['points']>;

function summarize(rate: number, offered: SpanFloodResult, cpu: { flood: number; collector: number }, points: Points, steadyFrom: number, maxRss: number, softLimitMiB: number): Omit<CapacityStep, 'collectorCpus'> {
  const of = (name: string) => points.filter((p) => p.metric.type.endsWith(`/${name}`)).sort((a, b) => Number(BigInt(a.timeUnixNano) - BigInt(b.timeUnixNano)));
  const atMs = (p: Points[number]) => Number(BigInt(p.timeUnixNano) / 1_000_000n);
  const max = (name: string) => Math.max(0, ...of(name).map((p) => p.value));
  const ticks = of('otelcol_processor_tail_sampling_sampling_decision_timer_latency/histogram');
  const first = ticks.find((p) => atMs(p) >= steadyFrom) ?? ticks[0];
  const last = ticks.at(-1);
  const bounds = last?.bounds ?? [];
  const counts = (last?.buckets ?? []).map((n, i) => n - (first?.buckets?.[i] ?? 0));
  const total = counts.reduce((a, b) => a + b, 0);
  let seen = 0;
  const p99Index = counts.findIndex((n) => (seen += n) >= 0.99 * total);
  const slowTicks = counts.filter((_, i) => i > 0 && (bounds[i - 1] ?? 0) >= 1000).reduce((a, b) => a + b, 0);
  const due = (rate * offered.elapsedMs) / 1000;
  const step: Omit<CapacityStep, 'verdict' | 'collectorCpus'> = {
    spansPerSecond: rate,
    offered,
    notSentPercent: Math.max(0, (100 * (due - offered.spansOffered)) / Math.max(1, due)),
    floodCpuPercent: cpu.flood,
    refusedPercent: (100 * (offered.spansOffered - offered.spansAccepted)) / Math.max(1, offered.spansOffered),
    maxRssMiB: maxRss / 2 ** 20,
    maxHeapMiB: max('otelcol_process_runtime_heap_alloc_bytes/gauge') / 2 ** 20,
    maxTracesOnMemory: max('otelcol_processor_tail_sampling_sampling_traces_on_memory/gauge'),
    ticks: total,
    slowTicks,
    tickP99Ms: p99Index < 0 ? 0 : (bounds[p99Index] ?? Infinity),
    cpuPercent: cpu.collector,
    droppedTooEarly: max('otelcol_processor_tail_sampling_sampling_trace_dropped_too_early/counter'),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
  };
  const verdict: CapacityStep['verdict'] =
    step.droppedTooEarly > 0
      ? 'num_traces'
      : step.refusedPercent > 0
        ? 'refusals'
        : step.notSentPercent > 2
          ? 'receiver'
          : step.slowTicks > 0
            ? 'decision tick'
            : step.maxHeapMiB > 0.9 * softLimitMiB
              ? 'memory'
              : 'held';
  return { ...step, verdict };
}

/** One line of the capacity table. */
export function formatCapacityStep(step: CapacityStep): string {
  return [
    `${step.spansPerSecond} spans/s`,
    `${step.verdict}`,
    `collector on cpu ${step.collectorCpus}`,
    `not sent ${step.notSentPercent.toFixed(1)} % (flood cpu ${step.floodCpuPercent.toFixed(0)} %)`,
    `refused ${step.refusedPercent.toFixed(1)} %`,
    `cpu ${step.cpuPercent.toFixed(0)} %`,
    `decision tick p99 <= ${step.tickP99Ms} ms (${step.slowTicks}/${step.ticks} >= 1 s)`,
    `traces in memory ${step.maxTracesOnMemory}`,
    `heap ${step.maxHeapMiB.toFixed(0)} MiB`,
    `RSS ${step.maxRssMiB.toFixed(0)} MiB`,
    `dropped too early ${step.droppedTooEarly}`,
    `load ${step.loadAverage.join(' ')}`,
  ].join(' | ');
}
