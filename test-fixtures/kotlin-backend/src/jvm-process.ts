// Spawns the fixture JVM under the agent and sorts its output: Cloud Logging
// entries and app lines from stdout, span batches and raw diagnostics from stderr
// (span batches on stdout too, when a caller picks experimental-otlp/stdout).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { jvmArguments } from './jvm-flags.js';
import { parseLogLine, type KotlinLogLine } from './logs.js';
import { isLoggedSpanLine, isSpanLine, parseLoggedSpanLine, parseSpanLine, type OtlpSpan } from './otlp.js';
import { assertJvmFixture, javaBinary } from './paths.js';

/** Options shared by the server and the client launcher. */
export interface JvmOptions {
  /** Extra environment for the JVM (inherited OTEL_* variables are removed first). */
  env?: Record<string, string>;
  /** Extra `-D` system properties, e.g. agent settings; they override the defaults. */
  systemProperties?: Record<string, string>;
}

/** Internal: how the child's stdin is wired. */
interface SpawnOptions extends JvmOptions {
  /** Keep a pipe open to the child; it closes when this process dies. */
  stdinPipe?: boolean;
}

type SpanWaiter = () => void;

/** A running fixture JVM and everything it has printed so far. */
export class JvmProcess {
  readonly child: ChildProcess;
  readonly spans: OtlpSpan[] = [];
  readonly logs: KotlinLogLine[] = [];
  /** stdout lines that are neither span batches nor log entries (LISTENING, REPLY, ERROR). */
  readonly appLines: string[] = [];
  /** stderr lines that are not span batches (agent, JVM warnings, stack traces). */
  readonly rawStderr: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly lineListeners = new Set<(line: string) => void>();
  private readonly spanWaiters = new Set<SpanWaiter>();

  constructor(command: readonly string[], options: SpawnOptions = {}) {
    assertJvmFixture();
    this.child = spawn(javaBinary(), jvmArguments(command, options.systemProperties), {
      stdio: [options.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: jvmEnvironment(options.env),
    });
    this.exited = new Promise((resolve) => {
      // 'close' (not 'exit') so every buffered stdout line has been read first.
      this.child.once('close', (code) => resolve(code));
      this.child.once('error', (error) => {
        this.rawStderr.push(`spawn failed: ${error.message}`);
        resolve(null);
      });
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.onStdout(line));
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.onStderr(line));
  }

  /** Resolves with the first stdout app line that [match]es; rejects on exit or timeout. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const seen = this.appLines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.lineListeners.delete(listener);
      };
      const listener = (line: string) => {
        if (match(line)) {
          cleanup();
          resolve(line);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`JVM printed no expected line within ${timeoutMs} ms.\n${this.diagnostics()}`));
      }, timeoutMs);
      this.lineListeners.add(listener);
      void this.exited.then((code) => {
        if (!this.lineListeners.has(listener)) return;
        cleanup();
        reject(new Error(`JVM exited (code ${code}) before the expected line.\n${this.diagnostics()}`));
      });
    });
  }

  /**
   * Resolves with the spans matching [predicate] once at least [minCount] have
   * arrived; rejects after [timeoutMs] listing what did arrive.
   */
  waitForSpans(predicate: (span: OtlpSpan) => boolean, timeoutMs = 10_000, minCount = 1): Promise<OtlpSpan[]> {
    const check = () => {
      const found = this.spans.filter(predicate);
      return found.length >= minCount ? found : undefined;
    };
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter: SpanWaiter = () => {
        const found = check();
        if (!found) return;
        clearTimeout(timer);
        this.spanWaiters.delete(waiter);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.spanWaiters.delete(waiter);
        const names = this.spans.map((s) => `${s.name}(kind ${s.kind}, trace ${s.traceId})`).join(', ') || 'none';
        reject(new Error(`fewer than ${minCount} matching JVM span(s) within ${timeoutMs} ms; spans so far: ${names}`));
      }, timeoutMs);
      this.spanWaiters.add(waiter);
    });
  }

  /** SIGTERM (the agent flushes spans in its shutdown hook), SIGKILL after [graceMs]. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      await this.exited;
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The last stderr/stdout lines, for error messages. */
  diagnostics(): string {
    const tail = (lines: string[]) => lines.slice(-20).join('\n') || '(nothing)';
    return `--- JVM stdout (app lines) ---\n${tail(this.appLines)}\n--- JVM stderr ---\n${tail(this.rawStderr)}`;
  }

  private onStdout(line: string): void {
    if (isSpanLine(line)) return this.addSpans(() => parseSpanLine(line));
    const log = parseLogLine(line);
    if (log) {
      this.logs.push(log);
      return;
    }
    this.appLines.push(line);
    for (const listener of [...this.lineListeners]) listener(line);
  }

  private onStderr(line: string): void {
    if (isLoggedSpanLine(line)) return this.addSpans(() => parseLoggedSpanLine(line));
    this.rawStderr.push(line);
  }

  private addSpans(parse: () => OtlpSpan[]): void {
    try {
      this.spans.push(...parse());
    } catch (error) {
      this.rawStderr.push(`unparsable span line: ${(error as Error).message}`);
    }
    for (const waiter of [...this.spanWaiters]) waiter();
  }
}

/** The parent's environment without OTEL_* (the fixture's config must be exactly ours), plus [extra]. */
function jvmEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('OTEL_')) env[key] = value;
  }
  return { ...env, ...extra };
}
