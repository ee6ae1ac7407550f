// "Declare what is tested": every peer range a package declares is the one its
// README states and the root README's table states, and one peer has one range
// across packages (an app has one copy). scripts/test-peer-ranges.mjs tests the
// lowest and highest version of exactly these ranges.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { declaredPeers } from '../../../scripts/test-peer-ranges.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const peers = declaredPeers(root);
const readme = (path: string) => readFileSync(join(root, path), 'utf8');
const stated = (name: string, range: string) => `\`${name}\` \`${range}\``;

test('the tested packages declare peers (a guard against reading nothing)', () => {
  expect([...peers.keys()]).toEqual(expect.arrayContaining(['@opentelemetry/api', '@grpc/grpc-js', 'graphql', 'pino']));
});

test.each([...peers].flatMap(([name, { range, packages }]) => packages.map((pkg) => [pkg, name, range] as const)))(
  '%s README states its peer %s as %s',
  (pkg, name, range) => {
    expect(readme(`packages/${pkg.replace('@tracehop/', '')}/README.md`)).toContain(stated(name, range));
  },
);

test.each([...peers].map(([name, { range }]) => [name, range] as const))('the root README states %s as %s', (name, range) => {
  // A pipe inside a Markdown table cell is written `\|`.
  expect(readme('README.md').replaceAll('\\|', '|')).toContain(stated(name, range));
});

test('two packages declaring one peer with two ranges is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracehop-peers-'));
  try {
    for (const [name, range] of [['core', '^1.8.0'], ['grpc', '^1.9.0'], ['envelop', '^1.9.0'], ['pino', '^1.9.0'], ['tenant', '^1.9.0'], ['gcp', '^1.9.0']]) {
      mkdirSync(join(dir, 'packages', name!), { recursive: true });
      writeFileSync(join(dir, 'packages', name!, 'package.json'), JSON.stringify({ name: `@tracehop/${name}`, peerDependencies: { '@opentelemetry/api': range } }));
    }
    expect(() => declaredPeers(dir)).toThrow('@opentelemetry/api is declared as ^1.8.0 by @tracehop/core but ^1.9.0 by @tracehop/grpc: one range per peer');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
