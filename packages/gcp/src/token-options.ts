import {
  checkOptions,
  checkRequiredOption,
  hasMethods,
  isBoolean,
  isFunction,
  isNonEmptyString,
  isOneOf,
  type OptionCheck,
  type OptionSchema,
} from '@tracehop/core/internal';
import type { TokenSourceChoice } from './types.js';

// The checks behind the three ID-token factories: a wrong type throws a
// TypeError naming the option when the factory is called, at start-up.

/** A duration: any number ≥ 0 (a large one is capped where setTimeout would overflow). */
function isDuration(unit: string): OptionCheck {
  return { expects: `a number of ${unit} ≥ 0`, test: (value) => typeof value === 'number' && value >= 0 };
}

const isAudience = isNonEmptyString('the receiving Cloud Run service\'s URL, like "https://collector-abc123-ew.a.run.app"');

/** The options of a new token source. */
export const tokenSourceChecks: OptionSchema = {
  audience: isAudience,
  maxWaitMs: isDuration('milliseconds'),
  fetchTimeoutMs: isDuration('milliseconds'),
  refreshBeforeExpirySeconds: isDuration('seconds'),
  retryMinMs: isDuration('milliseconds'),
  retryMaxMs: isDuration('milliseconds'),
  prefetch: isBoolean,
  auth: hasMethods('a GoogleAuth from google-auth-library (with getClient)', 'getClient'),
  fetchIdToken: isFunction('(audience) => Promise<string>'),
  signal: hasMethods('an AbortSignal', 'addEventListener'),
};

export const isHeaderName = isOneOf('Authorization', 'X-Serverless-Authorization');
export const isSource = hasMethods('a token source (from createGoogleIdTokenSource, or .source of another factory)', 'getToken', 'shutdown');

export function checkTokenSourceOptions(factory: string, options: unknown): void {
  checkOptions(factory, options, tokenSourceChecks);
  checkRequiredOption(factory, 'audience', (options as { audience?: unknown } | undefined)?.audience, isAudience);
}

/**
 * Options that make a token source or share one (`source`), plus the
 * factory's own (`header`, `grpc`). With `source`, a new source's options
 * would be ignored: naming one throws.
 */
export function checkTokenSourceChoice(factory: string, options: TokenSourceChoice, own: OptionSchema): void {
  checkOptions(factory, options, { ...tokenSourceChecks, ...own, source: isSource });
  if (!('source' in options) || options.source === undefined) {
    checkRequiredOption(factory, 'audience', (options as { audience?: unknown }).audience, isAudience);
    return;
  }
  for (const key of Object.keys(tokenSourceChecks)) {
    if ((options as Record<string, unknown>)[key] !== undefined) {
      throw new TypeError(`${factory}: option "${key}" does not apply with option "source": the shared source keeps its own`);
    }
  }
}
