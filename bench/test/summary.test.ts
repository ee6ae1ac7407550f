// The verdicts BENCHMARKS.md's table prints come from summary.mjs: a ratio
// clear of the goal by more than the two figures' spreads decides, one inside
// them is starred. Checked on hand-made hop files, one per case.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { summary } from '../instructions/summary.mjs';

type Counts = Record<string, Record<string, { mean: number; spread: number }>>;

/** A profiles dir holding `hops` for each Node version, tagged `final`. */
function profiles(nodes: Record<string, Counts>): string {
  const dir = `${mkdtempSync(join(tmpdir(), 'bench-summary-'))}/`;
  for (const [version, hops] of Object.entries(nodes)) {
    mkdirSync(`${dir}${version}-final`);
    for (const [hop, variants] of Object.entries(hops)) writeFileSync(`${dir}${version}-final/${hop}.json`, JSON.stringify(variants));
  }
  return dir;
}

/** The cells of the first table's row that starts with `label`. */
function row(table: string, label: string): string[] {
  const line = table.split('\n').find((text) => text.startsWith(`| ${label}`));
  if (!line) throw new Error(`no row ${label} in\n${table}`);
  return line.split('|').slice(2, -1).map((cell) => cell.trim());
}

const grpc = (spans: number, peer: number, spread = 0.005) => ({
  grpc: { spans: { mean: spans, spread }, peer: { mean: peer, spread } },
});

describe('summary verdicts', () => {
  test('a ratio past the goal by more than the spreads is met, short of it missed, in between starred', () => {
    const table = summary(
      profiles({
        'v20.20.2': grpc(200_000, 260_000), // 1.300 vs 1.25, margin 1.3 × 1 % = 0.013
        'v22.23.3': grpc(200_000, 252_000), // 1.260: met, but within the margin
        'v24.9.0': grpc(200_000, 240_000), // 1.200: missed beyond the margin
      }),
    );
    expect(row(table, 'gRPC spans')).toEqual(['1.300 **met**', '1.260 met*', '1.200 **missed**']);
  });

  test('an upper-bound goal (own work ≤ 3 µs) turns the other way', () => {
    const propagation = (above: number) => ({
      grpc: { propagation: { mean: 120_000 + above, spread: 0 }, 'constant-headers': { mean: 120_000, spread: 0 } },
    });
    const table = summary(profiles({ 'v20.20.2': propagation(20_000), 'v24.9.0': propagation(40_000) }));
    expect(row(table, 'gRPC propagation')).toEqual(['+20.0 k ≈ 2.0 µs **met**', '+40.0 k ≈ 4.1 µs **missed**']);
  });

  test("pino's share of the peer's added cost is judged as an upper bound", () => {
    const pino = (ours: number) => ({
      pino: { bare: { mean: 16_000, spread: 0 }, otel: { mean: ours, spread: 0 }, peer: { mean: 26_000, spread: 0 }, floor: { mean: 22_000, spread: 0 } },
    });
    const table = summary(profiles({ 'v20.20.2': pino(21_000), 'v22.23.3': pino(23_000) }));
    expect(row(table, "pino `otel`: added cost")).toEqual(['0.500 **met**', '0.700 **missed**']);
  });

  test('a Node without a hop shows a dash; rows no Node counted are left out; counts carry their spread', () => {
    const table = summary(profiles({ 'v20.20.2': grpc(200_000, 260_000, 0.012), 'v22.23.3': {} }));
    expect(row(table, 'gRPC spans')).toEqual(['1.300 **met**', '—']);
    expect(table).not.toContain('GraphQL');
    expect(row(table, '… instrumentation-grpc')).toEqual(['260.0 k ±1.2 %', '—']);
  });

  test('no files with the tag: says which run to make', () => {
    expect(summary(profiles({}), 'final')).toMatch(/^No files tagged "final" in .*: run bench\/instructions\/run\.mjs with BENCH_TAG=final first\.$/);
  });
});
