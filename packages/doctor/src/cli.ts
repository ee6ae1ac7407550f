// `tracehop doctor …`: runs the doctor and maps the outcome to an exit code
// (0 every hop continues, 1 a break, 2 usage or connection error).
import { writeFile } from 'node:fs/promises';
import { parseCliArgs, USAGE } from './args.js';
import { runDoctor } from './doctor.js';
import { ConnectionError } from './probe.js';
import { renderHtmlReport } from './report-html.js';
import { renderTextReport } from './report-text.js';
import { VERSION } from './version.js';

/** Where the CLI writes; the defaults are the process streams. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when progress may redraw one line. */
  tty: boolean;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: Boolean(process.stderr.isTTY),
};

/** Runs the command; resolves with the exit code, never throws. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    const message = (error as Error).message;
    io.err(`${message ? `tracehop: ${message}\n\n` : ''}${USAGE}\n`);
    return 2;
  }
  if (args.version) {
    io.out(`${VERSION}\n`);
    return 0;
  }
  let lastProgress = 0;
  const onProgress = (line: string) => {
    if (io.tty) io.err(`\r${line}\u001b[K`);
    else if (Date.now() - lastProgress >= 1_000) {
      lastProgress = Date.now();
      io.err(`${line}\n`);
    }
  };
  try {
    const report = await runDoctor({ ...args.doctor, onProgress });
    if (io.tty) io.err('\n');
    io.out(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTextReport(report).join('\n')}\n`);
    if (args.html) await writeFile(args.html, renderHtmlReport(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof ConnectionError) io.err(`tracehop: ${error.message}\n`);
    else if (code === 'EADDRINUSE' || code === 'EACCES') {
      io.err(`tracehop: cannot start the OTLP receiver: ${(error as Error).message}\n`);
    }
    else io.err(`tracehop: ${(error as Error).message}\n`);
    return 2;
  }
}
