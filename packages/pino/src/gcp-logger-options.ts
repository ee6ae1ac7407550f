import { checkOptions } from '@tracehop/core/internal';
import { gcpLoggerOptionChecks } from './mixin-options.js';
import { compileMixin } from './trace-mixin.js';
import type { GcpFormatOptions, GcpLoggerOptions } from './types.js';

/** pino level label → Cloud Logging `severity` (the mapping Google's own pino config uses). */
const SEVERITY_BY_LEVEL: Readonly<Record<string, string>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/** The Cloud Logging severity for a pino level label; custom levels get `DEFAULT`. */
export function severityOf(label: string): string {
  return SEVERITY_BY_LEVEL[label] ?? 'DEFAULT';
}

/**
 * pino options for Cloud Logging (Cloud Run, GKE, Cloud Functions stdout):
 * `severity` from the level, the text under `message`, an RFC 3339 `time`,
 * and {@link traceMixin} in the `gcp` format. Spread it and add your own:
 * `pino({ ...gcpLoggerOptions({ projectId }), level: 'debug' })`.
 *
 * Already using `@google-cloud/pino-logging-gcp-config`? Keep it and pass
 * `mixin: traceMixin()` (the `otel` format) to it: its formatter renames
 * those fields, so each line still gets exactly one set.
 */
export function gcpLoggerOptions(options: Omit<GcpFormatOptions, 'format'> = {}): GcpLoggerOptions {
  checkOptions('gcpLoggerOptions', options, gcpLoggerOptionChecks);
  return {
    messageKey: 'message',
    formatters: {
      // The numeric level stays for local tools (pino-pretty); Cloud Logging reads `severity`.
      level: (label, number) => ({ severity: severityOf(label), level: number }),
    },
    timestamp: isoTime,
    mixin: compileMixin({ ...options, format: 'gcp' }),
  };
}

// pino's own `stdTimeFunctions.isoTime`, inlined so this package never imports pino at runtime.
function isoTime(): string {
  return `,"time":"${new Date().toISOString()}"`;
}
