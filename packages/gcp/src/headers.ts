import { createGoogleIdTokenSource } from './token-source.js';
import type { GoogleIdTokenHeadersFactory, GoogleIdTokenSource, TokenSourceChoice, GoogleIdTokenHeadersOptions } from './types.js';

export function resolveTokenSource(options: TokenSourceChoice): GoogleIdTokenSource {
  return 'source' in options ? options.source : createGoogleIdTokenSource(options);
}

/**
 * A `headers` factory for `@opentelemetry/exporter-trace-otlp-http` / `-proto`
 * (0.208+; on Node 20 the 0.223.x line): `{ Authorization: 'Bearer <ID token>' }`,
 * or `{}` when no token could be had in `maxWaitMs` (the export then fails as
 * unauthorized). Never rejects; awaited by the exporter on every send attempt.
 */
export function googleIdTokenHeaders(options: GoogleIdTokenHeadersOptions): GoogleIdTokenHeadersFactory {
  const source = resolveTokenSource(options);
  const header = options.header ?? 'Authorization';
  const headers = async (): Promise<Record<string, string>> => {
    try {
      const token = await source.getToken();
      return token === undefined ? {} : { [header]: `Bearer ${token}` };
    } catch {
      // getToken never rejects; a hand-made `source` might.
      return {};
    }
  };
  return Object.assign(headers, { source, shutdown: () => source.shutdown() });
}
