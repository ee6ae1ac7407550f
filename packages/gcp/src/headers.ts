import { neverReject } from '@tracehop/core';
import { checkTokenSourceChoice, isHeaderName } from './token-options.js';
import { createTokenSource } from './token-source.js';
import type { GoogleIdTokenHeadersFactory, GoogleIdTokenSource, TokenSourceChoice, GoogleIdTokenHeadersOptions } from './types.js';

/** The shared source, or a new one from the (already checked) options. */
export function resolveTokenSource(options: TokenSourceChoice): GoogleIdTokenSource {
  return 'source' in options && options.source !== undefined ? options.source : createTokenSource(options as Exclude<TokenSourceChoice, { source: unknown }>);
}

/** A token source's `getToken`, which never rejects, even for a hand-made `source` that does. */
export function tokenOf(source: GoogleIdTokenSource): Promise<string | undefined> {
  return neverReject(() => source.getToken(), undefined, 'the ID token source rejected; the export goes out without a token');
}

/** This factory's own options, beside a token source's. */
export const headersChecks = { header: isHeaderName };

/**
 * A `headers` factory for `@opentelemetry/exporter-trace-otlp-http` / `-proto`
 * (0.208+; on Node 20 the 0.223.x line): `{ Authorization: 'Bearer <ID token>' }`,
 * or `{}` when no token could be had in `maxWaitMs` (the export then fails as
 * unauthorized). Never rejects; awaited by the exporter on every send attempt.
 */
export function googleIdTokenHeaders(options: GoogleIdTokenHeadersOptions): GoogleIdTokenHeadersFactory {
  checkTokenSourceChoice('googleIdTokenHeaders', options, headersChecks);
  const source = resolveTokenSource(options);
  const header = options.header ?? 'Authorization';
  const headers = async (): Promise<Record<string, string>> => {
    const token = await tokenOf(source);
    return token === undefined ? {} : { [header]: `Bearer ${token}` };
  };
  return Object.assign(headers, { source, shutdown: () => source.shutdown() });
}
