// Reads JSON log lines from a file (at the end, once spans settled) or from
// stdin (from the start, while the probes run), keeping a bounded number.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseLogLine, type LogLine } from './log-lines.js';

/** Most lines kept; older ones are dropped first. */
export const MAX_LOG_LINES = 200_000;

export interface LogSource {
  /** Every line read so far (a file is read completely first). */
  lines(): Promise<LogLine[]>;
  close(): void;
}

function collect(input: Readable, into: LogLine[]): Promise<void> {
  const reader = createInterface({ input, crlfDelay: Infinity });
  reader.on('line', (text) => {
    const line = parseLogLine(text);
    if (!line) return;
    into.push(line);
    if (into.length > MAX_LOG_LINES) into.splice(0, into.length - MAX_LOG_LINES);
  });
  return new Promise((resolve) => {
    reader.once('close', resolve);
    input.once('error', () => resolve());
  });
}

/** `-` reads stdin from now on; anything else is a file path read when {@link LogSource.lines} is called. */
export function openLogSource(path: string, stdin: Readable = process.stdin): LogSource {
  if (path === '-') {
    const lines: LogLine[] = [];
    void collect(stdin, lines);
    return { lines: () => Promise.resolve([...lines]), close: () => stdin.pause() };
  }
  return {
    async lines() {
      const lines: LogLine[] = [];
      await collect(createReadStream(path), lines);
      return lines;
    },
    close: () => undefined,
  };
}
