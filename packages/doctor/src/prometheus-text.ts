// Reads the collector's self-metrics in the Prometheus text format
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format),
// as its `prometheus` pull reader serves them (self-telemetry.yaml). Only the
// collector's own series are kept (`otelcol_…` and `target_info`); the body is
// untrusted: bounded in size and time, and a line that does not parse is skipped.
import { COLLECTOR_METRICS_PATH, COLLECTOR_METRICS_TIMEOUT_MS, MAX_METRICS_BYTES, MAX_METRIC_SAMPLES } from './defaults.js';

/** One sample: a series and its value. */
export interface Sample {
  /** The metric name, without a counter's `_total` suffix (collectors before v0.1xx, or with suffixes on, add it). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Thrown when the endpoint cannot be read (refused, timed out, not 200, too big). */
export class MetricsReadError extends Error {}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;
const UNESCAPE: Record<string, string> = { n: '\n', '\\': '\\', '"': '"' };

function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const at = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match) return text.slice(at).trim() === '' ? labels : undefined;
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => UNESCAPE[c] ?? `\\${c}`);
  }
  return labels;
}

const kept = (name: string) => name.startsWith('otelcol_') || name === 'target_info';

/** The collector's samples in `text`; comments, other metrics, lines that do not parse and values not finite are left out. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match || !kept(match[1]!)) continue;
    const labels = parseLabels(match[2] ?? '');
    const value = Number(match[3]);
    if (!labels || !Number.isFinite(value)) continue;
    samples.push({ name: match[1]!.replace(/_total$/, ''), labels, value });
    if (samples.length >= MAX_METRIC_SAMPLES) break;
  }
  return samples;
}

/** `url`, with `/metrics` when it names no path (`http://127.0.0.1:8888`). */
export function metricsUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = COLLECTOR_METRICS_PATH;
  return parsed.toString();
}

async function readBody(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_METRICS_BYTES) {
      await reader.cancel();
      throw new MetricsReadError(`more than ${MAX_METRICS_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Why a fetch failed, in a few words: the system error's code, or the timeout. */
function reason(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return `no answer within ${COLLECTOR_METRICS_TIMEOUT_MS / 1_000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** Fetches and parses the endpoint. Throws {@link MetricsReadError} when it cannot be read. */
export async function readPrometheus(url: string): Promise<Sample[]> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'text/plain' }, signal: AbortSignal.timeout(COLLECTOR_METRICS_TIMEOUT_MS) });
  } catch (error) {
    throw new MetricsReadError(reason(error));
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new MetricsReadError(`HTTP ${response.status}`);
  }
  try {
    return parsePrometheusText(await readBody(response));
  } catch (error) {
    throw error instanceof MetricsReadError ? error : new MetricsReadError(reason(error));
  }
}
