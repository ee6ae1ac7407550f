// Reads what the collector's file exporter wrote: one OTLP JSON export request
// per line (`format: json`), flattened into spans.
import { readFile } from 'node:fs/promises';
import { parseSpanLine, type OtlpSpan } from '@tracehop/fixture-kotlin-backend';

/** Every span in the file so far; a missing file is no spans yet. A torn last line is skipped (read again later). */
export async function readSpanFile(path: string): Promise<OtlpSpan[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const spans: OtlpSpan[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      spans.push(...parseSpanLine(line));
    } catch {
      // the exporter is mid-write; the complete line is there on the next read
    }
  }
  return spans;
}

/** Spans grouped by trace ID. */
export function byTrace(spans: OtlpSpan[]): Map<string, OtlpSpan[]> {
  const traces = new Map<string, OtlpSpan[]>();
  for (const span of spans) {
    const list = traces.get(span.traceId) ?? [];
    list.push(span);
    traces.set(span.traceId, list);
  }
  return traces;
}
