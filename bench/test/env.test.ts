// Every knob is read through bench/lib/env.mjs, so a mistyped or malformed
// one stops a run before an hour of valgrind measures the wrong thing.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { benchEnv, benchNumber, checkBenchEnv, checkVariantNames, keepVariants, selectedNames } from '../lib/env.mjs';

afterEach(() => vi.unstubAllEnvs());

describe('BENCH_* knobs', () => {
  test('an unknown or renamed variable is refused, naming the fix', () => {
    vi.stubEnv('BENCH_SECOND', '3');
    expect(() => checkBenchEnv()).toThrow(/unknown variable BENCH_SECOND; known: .*BENCH_SECONDS/);
    vi.unstubAllEnvs();
    vi.stubEnv('BENCH_GRAPHQL_VARIANTS', 'bare');
    expect(() => checkBenchEnv()).toThrow(/BENCH_GRAPHQL_VARIANTS is gone; use BENCH_VARIANTS/);
    vi.unstubAllEnvs();
    vi.stubEnv('BENCH_SECONDS', '3');
    vi.stubEnv('INSTR_TAG', 'final');
    expect(() => checkBenchEnv()).not.toThrow();
  });

  test('the old INSTR_ name is read when the BENCH_ one is unset, and the new one wins', () => {
    vi.stubEnv('INSTR_TAG', 'old');
    expect(benchEnv('TAG')).toBe('old');
    vi.stubEnv('BENCH_TAG', 'new');
    expect(benchEnv('TAG')).toBe('new');
  });

  test('numbers: unset gives the default, a bad value throws, zero only where allowed', () => {
    expect(benchNumber('SECONDS', 3)).toBe(3);
    vi.stubEnv('BENCH_SECONDS', '-1');
    expect(() => benchNumber('SECONDS', 3)).toThrow('BENCH_SECONDS must be a number > 0, got "-1"');
    vi.stubEnv('BENCH_PRIME_SECONDS', '0');
    expect(() => benchNumber('PRIME_SECONDS', 0.5)).toThrow(/> 0/);
    expect(benchNumber('PRIME_SECONDS', 0.5, { zero: true })).toBe(0);
  });

  test('BENCH_ONLY selects known hops in the order given and refuses an unknown one', () => {
    expect(selectedNames(['grpc', 'pino'])).toEqual(['grpc', 'pino']);
    vi.stubEnv('BENCH_ONLY', 'pino, grpc');
    expect(selectedNames(['grpc', 'pino', 'e2e'])).toEqual(['pino', 'grpc']);
    vi.stubEnv('BENCH_ONLY', 'grcp');
    expect(() => selectedNames(['grpc', 'pino'])).toThrow('BENCH_ONLY: unknown name(s) grcp; known: grpc, pino');
  });

  test('BENCH_VARIANTS keeps each hop its baseline and refuses a name no selected hop has', () => {
    vi.stubEnv('BENCH_VARIANTS', 'trace');
    expect(keepVariants(['bare', 'minimal-span', 'trace'], 'bare')).toEqual(['bare', 'trace']);
    expect(keepVariants(['off', 'on'], 'off')).toEqual(['off']);
    expect(() => checkVariantNames(['bare', 'trace'])).not.toThrow();
    vi.stubEnv('BENCH_VARIANTS', 'trace,traec');
    expect(() => checkVariantNames(['bare', 'trace'])).toThrow(/BENCH_VARIANTS: traec in no selected hop/);
  });
});
