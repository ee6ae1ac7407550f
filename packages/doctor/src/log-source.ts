// Reads JSON log lines from files (at the end, once spans settled) and from
// stdin (from the start, while the probes run), keeping a bounded number.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { MAX_LOG_LINES } from './defaults.js';
import { parseLogLine, type LogLine, type LogServiceOptions } from './log-lines.js';

export interface LogSource {
  /** Every line read so far (files are read completely first). */
  lines(): Promise<LogLine[]>;
  close(): void;
}

/** `SERVICE=FILE` names the service whose lines the file holds; a path with a `/` before any `=` is a plain path. */
const SERVICE_PREFIX = /^([\w.:-]+)=(.+)$/;

/** A `--logs` value: the path (`-` for stdin) and the service it names, if any. */
function parseLogsArgument(value: string): { path: string; service?: string | undefined } {
  const match = SERVICE_PREFIX.exec(value);
  return match ? { path: match[2]!, service: match[1] } : { path: value };
}

function collect(input: Readable, into: LogLine[], options: LogServiceOptions): Promise<void> {
  const reader = createInterface({ input, crlfDelay: Infinity });
  reader.on('line', (text) => {
    const line = parseLogLine(text, options);
    if (!line) return;
    into.push(line);
    if (into.length > MAX_LOG_LINES) into.splice(0, into.length - MAX_LOG_LINES);
  });
  return new Promise((resolve) => {
    reader.once('close', resolve);
    input.once('error', () => resolve());
  });
}

/**
 * Opens every `--logs` value: `-` reads `stdin` from now on, anything else is a
 * file read when {@link LogSource.lines} is called. A file that cannot be read gives no lines.
 */
export function openLogSource(values: string[], serviceField: string | undefined, stdin: Readable = process.stdin): LogSource {
  const streamed: LogLine[] = [];
  const files: Array<{ path: string; options: LogServiceOptions }> = [];
  let usesStdin = false;
  for (const value of values) {
    const { path, service } = parseLogsArgument(value);
    const options = { service, serviceField };
    if (path !== '-') files.push({ path, options });
    else if (!usesStdin) {
      usesStdin = true;
      void collect(stdin, streamed, options);
    }
  }
  return {
    async lines() {
      const read: LogLine[] = [];
      for (const { path, options } of files) await collect(createReadStream(path), read, options);
      return [...streamed, ...read].slice(-MAX_LOG_LINES);
    },
    close: () => {
      if (usesStdin) stdin.pause();
    },
  };
}
