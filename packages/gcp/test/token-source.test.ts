// The token source's own rules, with a hand-made fetchIdToken so each case is
// exact: what counts as a token, when it refreshes, how often it may ask.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createGoogleIdTokenSource, type GoogleIdTokenSource, type GoogleIdTokenSourceOptions } from '../src/index.js';
import { readJwtExpiryMs } from '../src/jwt-expiry.js';
import { sleep } from './harness.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown): string => `${b64({ alg: 'RS256', kid: 'k' })}.${b64(payload)}.c2lnbmF0dXJl`;
const inSeconds = (seconds: number): number => Math.floor(Date.now() / 1000) + seconds;

function source(options: Partial<GoogleIdTokenSourceOptions> & Pick<GoogleIdTokenSourceOptions, 'fetchIdToken'>): GoogleIdTokenSource {
  return createGoogleIdTokenSource({ audience: 'https://collector', maxWaitMs: 200, ...options });
}

describe('readJwtExpiryMs', () => {
  test('reads a numeric exp from a compact JWT', () => {
    expect(readJwtExpiryMs(jwt({ exp: 1_900_000_000 }))).toBe(1_900_000_000_000);
  });
  test.each([
    ['not a string', 42],
    ['HTML', '<html>not a token</html>'],
    ['two parts', `${b64({})}.${b64({ exp: 1 })}`],
    ['exp missing', jwt({ aud: 'x' })],
    ['exp a string', jwt({ exp: '1900000000' })],
    ['payload not JSON', `${b64({})}.bm90IGpzb24.c2ln`],
    ['payload null', jwt(null)],
    ['oversized', jwt({ exp: 1, pad: 'x'.repeat(20_000) })],
    ['exp beyond what milliseconds can hold', jwt({ exp: 1e308 })],
  ])('refuses %s', (_, token) => {
    expect(readJwtExpiryMs(token)).toBeUndefined();
  });

  test('property: never throws on any input, and anything it accepts has a finite exp', () => {
    const anyPart = fc.oneof(fc.string(), fc.base64String(), fc.json().map((json) => Buffer.from(json).toString('base64url')));
    const anyToken = fc.oneof(fc.anything(), fc.string(), fc.array(anyPart, { maxLength: 4 }).map((parts) => parts.join('.')));
    fc.assert(
      fc.property(anyToken, (token) => {
        const exp = readJwtExpiryMs(token);
        return exp === undefined || Number.isFinite(exp);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: round-trips any numeric exp', () => {
    fc.assert(
      // (=== on purpose: JSON turns -0 into 0.)
      fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), fc.dictionary(fc.string(), fc.jsonValue()), (exp, extra) => {
        expect(readJwtExpiryMs(jwt({ ...extra, exp })) === exp * 1000).toBe(true);
      }),
    );
  });
});

test('a server that keeps handing back the same token is asked with backoff, not ever faster as exp nears', async () => {
  const same = jwt({ exp: inSeconds(4) });
  let fetches = 0;
  const tokens = source({ retryMinMs: 200, fetchIdToken: async () => (fetches++, same) });
  // Exports keep asking all along: they must not turn into a fetch each once the refresh point has passed.
  const started = Date.now();
  while (Date.now() - started < 3200) {
    await tokens.getToken();
    await sleep(10);
  }
  tokens.shutdown();
  // Refresh at ~half the life (1.5-2 s), then +200, +400, +800 ms: at most 5 fetches, not dozens.
  expect(fetches).toBeGreaterThanOrEqual(2);
  expect(fetches).toBeLessThanOrEqual(5);
});

test('a fresh token replaces the held one at the refresh point, before the held one is unusable', async () => {
  let fetches = 0;
  const tokens = source({ fetchIdToken: async () => jwt({ exp: inSeconds(4), n: ++fetches }) });
  const first = await tokens.getToken();
  await sleep(2200);
  const second = await tokens.getToken();
  tokens.shutdown();
  expect(fetches).toBe(2);
  expect(second).not.toBe(first);
});

test('refreshBeforeExpirySeconds moves the refresh point (bounded by half the lifetime)', async () => {
  let fetches = 0;
  const tokens = source({ refreshBeforeExpirySeconds: 1, fetchIdToken: async () => (fetches++, jwt({ exp: inSeconds(5), n: fetches })) });
  await tokens.getToken();
  await sleep(2500);
  // 4-5 s left on receipt, refreshed 1 s before exp: not yet.
  expect(fetches).toBe(1);
  tokens.shutdown();
});

test('without prefetch nothing is fetched until the first getToken', async () => {
  let fetches = 0;
  const tokens = source({ prefetch: false, fetchIdToken: async () => (fetches++, jwt({ exp: inSeconds(60) })) });
  await sleep(50);
  expect(fetches).toBe(0);
  await tokens.getToken();
  expect(fetches).toBe(1);
  tokens.shutdown();
});

test('a signal already aborted: no fetch at all, getToken resolves undefined at once', async () => {
  let fetches = 0;
  const tokens = source({ signal: AbortSignal.abort(), fetchIdToken: async () => (fetches++, jwt({ exp: inSeconds(60) })) });
  expect(await tokens.getToken()).toBeUndefined();
  expect(fetches).toBe(0);
});

test('during backoff after a failure, getToken answers at once instead of waiting', async () => {
  const tokens = source({ retryMinMs: 5000, fetchIdToken: () => Promise.reject(new Error('down')) });
  expect(await tokens.getToken()).toBeUndefined();
  const started = performance.now();
  expect(await tokens.getToken()).toBeUndefined();
  expect(performance.now() - started).toBeLessThan(20);
  tokens.shutdown();
});

test('huge durations are capped, never a timer that overflows and fires at once', async () => {
  const slowFetch = async (): Promise<string> => (await sleep(100), jwt({ exp: inSeconds(60) }));
  for (const huge of [Number.POSITIVE_INFINITY, 1e12]) {
    const tokens = source({ maxWaitMs: huge, fetchTimeoutMs: huge, retryMinMs: huge, fetchIdToken: slowFetch });
    expect(await tokens.getToken(), `with ${huge}`).toMatch(/^ey/);
    tokens.shutdown();
  }
});

test.each([Number.NaN, -1, '2000'])('a duration of %j throws a TypeError naming the option, at creation', (bad) => {
  expect(() => source({ maxWaitMs: bad as number, fetchIdToken: async () => jwt({ exp: inSeconds(60) }) })).toThrow(
    /^createGoogleIdTokenSource: option "maxWaitMs" must be a number of milliseconds ≥ 0, got /,
  );
});
