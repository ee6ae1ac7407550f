// Reads JSON log lines from files and from stdin while the doctor runs: files
// from their start, each poll reading only what was appended since the last,
// stdin as it comes. At most MAX_LOG_LINES are kept, the oldest dropped first.
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { MAX_LOG_LINES } from './defaults.js';
import { parseLogLine, type LogLine, type LogServiceOptions } from './log-lines.js';

export interface LogSource {
  /** Every line read so far, after reading (a bounded part of) what the files gained since the last call. */
  poll(): Promise<LogLine[]>;
  /** Every line, after reading the files to their end (a last line without a newline included). */
  lines(): Promise<LogLine[]>;
  close(): void;
}

/** `SERVICE=FILE` names the service whose lines the file holds; a path with a `/` before any `=` is a plain path. */
const SERVICE_PREFIX = /^([\w.:-]+)=(.+)$/;
/** Most bytes read from one file per call: a huge file is read over several polls, memory stays bounded. */
const READ_CHUNK = 16 * 1024 * 1024;

/** A `--logs` value: the path (`-` for stdin) and the service it names, if any. */
function parseLogsArgument(value: string): { path: string; service?: string | undefined } {
  const match = SERVICE_PREFIX.exec(value);
  return match ? { path: match[2]!, service: match[1] } : { path: value };
}

interface TailedFile {
  path: string;
  options: LogServiceOptions;
  offset: number;
  /** Bytes after the last newline, kept until the line is complete. */
  partial: Buffer;
}

/** The complete lines appended to `file` since the last read, and whether more is there; none from a file that cannot be read. */
async function readAppended(file: TailedFile): Promise<{ texts: string[]; more: boolean }> {
  const none = { texts: [], more: false };
  const handle = await open(file.path, 'r').catch(() => undefined);
  if (!handle) return none;
  try {
    const { size } = await handle.stat();
    if (size < file.offset) [file.offset, file.partial] = [0, Buffer.alloc(0)]; // truncated or rotated
    const length = Math.min(size - file.offset, READ_CHUNK);
    if (length <= 0) return none;
    const chunk = Buffer.alloc(length);
    const { bytesRead } = await handle.read(chunk, 0, length, file.offset);
    file.offset += bytesRead;
    const bytes = Buffer.concat([file.partial, chunk.subarray(0, bytesRead)]);
    const end = bytes.lastIndexOf(0x0a);
    file.partial = Buffer.from(end < 0 ? bytes : bytes.subarray(end + 1));
    return { texts: end < 0 ? [] : bytes.subarray(0, end).toString('utf8').split('\n'), more: file.offset < size };
  } finally {
    await handle.close();
  }
}

/**
 * Opens every `--logs` value: `-` reads `stdin` from now on (once), anything
 * else is a file read from its start; `serviceField` names the field holding the service.
 */
export function openLogSource(values: string[], serviceField: string | undefined, stdin: Readable = process.stdin): LogSource {
  const kept: LogLine[] = [];
  const keep = (text: string, options: LogServiceOptions) => {
    const line = parseLogLine(text.replace(/\r$/, ''), options);
    if (!line) return;
    kept.push(line);
    if (kept.length > MAX_LOG_LINES) kept.splice(0, kept.length - MAX_LOG_LINES);
  };
  const files: TailedFile[] = [];
  let usesStdin = false;
  for (const value of values) {
    const { path, service } = parseLogsArgument(value);
    const options = { service, serviceField };
    if (path !== '-') files.push({ path, options, offset: 0, partial: Buffer.alloc(0) });
    else if (!usesStdin) {
      usesStdin = true;
      createInterface({ input: stdin, crlfDelay: Infinity }).on('line', (text) => keep(text, options));
    }
  }
  const read = async (file: TailedFile) => {
    const { texts, more } = await readAppended(file);
    for (const text of texts) keep(text, file.options);
    return more;
  };
  return {
    async poll() {
      for (const file of files) await read(file);
      return [...kept];
    },
    async lines() {
      for (const file of files) {
        while (await read(file));
        if (file.partial.length === 0) continue;
        keep(file.partial.toString('utf8'), file.options);
        file.partial = Buffer.alloc(0);
      }
      return [...kept];
    },
    close: () => {
      if (usesStdin) stdin.pause();
    },
  };
}
