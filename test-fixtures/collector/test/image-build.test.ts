// The daemonless image builder (collector/image): the same inputs give the same
// image digest (so the cache key and a registry's digest say the same thing),
// and it refuses a binary the image could not run (dynamically linked: the
// image has no libc), instead of producing an image that fails on Cloud Run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { collectorBinary, collectorDir, collectorImageLayout, readOciImage } from '../src/index.js';

const binary = collectorBinary();
const layout = collectorImageLayout();
const build = (otelcol: string) => {
  const out = join(mkdtempSync(join(tmpdir(), 'tracehop-image-')), 'layout');
  const result = spawnSync('go', ['run', '.', '-otelcol', otelcol, '-configs', join(collectorDir, 'config'), '-out', out], { cwd: join(collectorDir, 'image'), encoding: 'utf8' });
  return { out, status: result.status, stderr: result.stderr };
};

test('two builds from the same binary and configs give the digest build.sh cached', () => {
  const first = build(binary);
  const second = build(binary);
  expect([first.status, second.status]).toEqual([0, 0]);
  expect(readOciImage(first.out).digest).toBe(readOciImage(second.out).digest);
  expect(readOciImage(first.out).digest).toBe(readOciImage(layout).digest);
}, 120_000);

test('a dynamically linked binary is refused with the reason', () => {
  const ls = execFileSync('bash', ['-c', 'command -v ls'], { encoding: 'utf8' }).trim();
  const refused = build(ls);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain('dynamically linked');
}, 120_000);
