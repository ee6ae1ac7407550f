#!/usr/bin/env node
// Declare what is tested, test what is declared: runs the packages' suites
// with every peer at the LOWEST version its declared range admits, then at the
// HIGHEST, the way opentelemetry-js-contrib's `.tav.yml` files drive
// test-all-versions over a version range (`mode: max-2` is its lowest + highest:
// https://github.com/open-telemetry/opentelemetry-js-contrib/blob/main/packages/instrumentation-pino/.tav.yml,
// https://github.com/watson/test-all-versions#readme).
//
//   node scripts/test-peer-ranges.mjs            # both: lowest, then highest
//   node scripts/test-peer-ranges.mjs lowest     # one of them
//
// The ranges are read from packages/*/package.json `peerDependencies`; the
// versions they admit come from the npm registry (`npm view`). For each set a
// scratch copy of the workspace (only these packages and the fixtures their
// tests import) gets those versions as its devDependencies, is installed with
// pnpm (the lockfile of the repo is never touched), borrows the repo's built
// dist/ (child-process tests load it; `pnpm build` first), and runs vitest over
// the suites. A set whose versions are all what the lockfile already has is
// skipped with a line saying so: `pnpm test` ran exactly that.
//
// Environment: PEER_RANGES_KEEP=1 keeps the scratch copies (their path is printed).
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** The packages whose suites run (doctor pins its dependencies and has no peers). */
const SUITES = ['core', 'grpc', 'envelop', 'pino', 'tenant', 'gcp'];
/** Workspace fixtures those suites import. */
const FIXTURES = ['testkit', 'proto', 'gcp-fakes'];
/**
 * The OpenTelemetry SDK an app pairs tracehop with. Only @tracehop/tenant names
 * it as a peer (its span processor), but every suite runs on it, so its range
 * applies to the whole family in every suite's devDependencies.
 */
const SDK_PEER = '@opentelemetry/sdk-trace-base';
const SDK_FAMILY = ['@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace-node', '@opentelemetry/context-async-hooks', '@opentelemetry/core'];
/**
 * Suites that keep the lockfile's SDK, and why: gcp's tests export through the
 * OTLP exporters 0.223 (their async `headers` factory is what gcp plugs into),
 * which are built on SDK 2; gcp itself imports no SDK.
 */
const KEEP_SDK = new Set(['gcp']);
const isSdk = (name) => SDK_FAMILY.includes(name);

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Semver order for plain x.y.z versions (ranges never match prereleases). */
function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/** Every published version of `name` that `range` admits, ascending. */
async function versionsIn(name, range) {
  const { stdout } = await run('npm', ['view', `${name}@${range}`, 'version', '--json'], { maxBuffer: 4 << 20 });
  const parsed = stdout.trim() ? JSON.parse(stdout) : [];
  const versions = (Array.isArray(parsed) ? parsed : [parsed]).sort(compareVersions);
  if (versions.length === 0) throw new Error(`no published version of ${name} satisfies ${range}`);
  return versions;
}

/** Each peer with its declared range; a peer declared by several packages must have one range (one copy in an app). */
export function declaredPeers(rootDir = root) {
  const peers = new Map();
  for (const suite of SUITES) {
    const manifest = readJson(join(rootDir, 'packages', suite, 'package.json'));
    for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {})) {
      const seen = peers.get(peer);
      if (seen && seen.range !== range) {
        throw new Error(`${peer} is declared as ${seen.range} by ${seen.packages.join(', ')} but ${range} by ${manifest.name}: one range per peer`);
      }
      peers.set(peer, { range, packages: [...(seen?.packages ?? []), manifest.name] });
    }
  }
  return peers;
}

/** name -> version at one end ('lowest' | 'highest') of every range; the SDK family follows the SDK peer's range. */
async function pickVersions(peers, end) {
  const wanted = [...peers].map(([name, { range }]) => [name, range]);
  const sdk = peers.get(SDK_PEER);
  if (sdk) for (const member of SDK_FAMILY) if (member !== SDK_PEER) wanted.push([member, sdk.range]);
  const picked = await Promise.all(
    wanted.map(async ([name, range]) => {
      const versions = await versionsIn(name, range);
      return [name, end === 'lowest' ? versions[0] : versions[versions.length - 1]];
    }),
  );
  return new Map(picked);
}

/** The version `suite`'s devDependencies (or a fixture's, suite undefined) get for `name`, if any. */
function versionFor(versions, suite, name) {
  if (suite && KEEP_SDK.has(suite) && isSdk(name)) return undefined;
  return versions.get(name);
}

/** The version each suite's own install resolves `name` to today (what `pnpm test` runs). */
function lockedVersion(name, suite) {
  try {
    const require = createRequire(join(root, 'packages', suite, 'package.json'));
    return readJson(require.resolve(`${name}/package.json`)).version;
  } catch {
    return undefined;
  }
}

/** Whether the lockfile already runs every suite on exactly these versions. */
function alreadyLocked(versions) {
  return SUITES.every((suite) =>
    [...versions.keys()].every((name) => {
      const wanted = versionFor(versions, suite, name);
      const locked = lockedVersion(name, suite);
      return wanted === undefined || locked === undefined || locked === wanted;
    }),
  );
}

/** Copies the workspace files of the suites and fixtures (git's view, plus untracked files not ignored). */
async function copyWorkspace(destination) {
  const dirs = [...SUITES.map((name) => `packages/${name}`), ...FIXTURES.map((name) => `test-fixtures/${name}`)];
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...dirs, ':(glob)*'], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(root, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(destination, file)), { recursive: true });
    cpSync(join(root, file), join(destination, file));
  }
  for (const name of SUITES) cpSync(join(root, 'packages', name, 'dist'), join(destination, 'packages', name, 'dist'), { recursive: true });
  writeFileSync(join(destination, 'pnpm-workspace.yaml'), readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').replace(/^packages:\n(?:\s+- .*\n)+/m, `packages:\n${dirs.map((dir) => `  - ${dir}\n`).join('')}`));
  return dirs;
}

/** Sets `versions` as the exact devDependencies (and a fixture's dependencies) of every manifest that lists them. */
function rewriteManifests(destination, dirs, versions) {
  for (const dir of dirs) {
    const file = join(destination, dir, 'package.json');
    const manifest = readJson(file);
    const suite = dir.startsWith('packages/') ? dir.slice('packages/'.length) : undefined;
    const fields = suite ? ['devDependencies'] : ['devDependencies', 'dependencies'];
    for (const field of fields) {
      for (const name of Object.keys(manifest[field] ?? {})) {
        const version = versionFor(versions, suite, name);
        if (version !== undefined) manifest[field][name] = version;
      }
    }
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

function runInherit(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function runSet(end, peers) {
  const started = Date.now();
  // A report left by an earlier run must not stand for this one (CI adds up every test-results*.json).
  const report = join(root, `test-results-peers-${end}.json`);
  rmSync(report, { force: true });
  const versions = await pickVersions(peers, end);
  const listed = [...versions].map(([name, version]) => `${name}@${version}`).join(' ');
  console.log(`\n=== peers at their ${end} versions: ${listed}${KEEP_SDK.size ? ` (${[...KEEP_SDK].join(', ')}: the lockfile's SDK)` : ''}`);
  if (alreadyLocked(versions)) {
    console.log(`peer-ranges: ${end}: every suite already runs on these versions in the lockfile (pnpm test); nothing more to run`);
    return { end, status: 'locked' };
  }
  const scratch = mkdtempSync(join(tmpdir(), `tracehop-peers-${end}-`));
  try {
    const dirs = await copyWorkspace(scratch);
    rewriteManifests(scratch, dirs, versions);
    // pnpm defaults to a frozen lockfile under CI=true; this copy's lockfile is meant to change.
    const installed = await runInherit('pnpm', ['install', '--no-frozen-lockfile', '--prefer-offline', '--reporter=append-only'], { cwd: scratch });
    if (installed !== 0) return { end, status: 'install failed' };
    const code = await runInherit(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', ...SUITES.map((name) => `packages/${name}`), '--reporter=default', '--reporter=json'],
      { cwd: scratch, env: { TRACEHOP_TEST_WORKERS: '2', ...process.env, TRACEHOP_TEST_REPORT: report } },
    );
    const result = existsSync(report) ? readJson(report) : undefined;
    const counts = result ? `${result.numPassedTests} passed, ${result.numFailedTests} failed, ${result.numPendingTests + result.numTodoTests} skipped` : 'no report';
    return { end, status: code === 0 ? 'passed' : 'FAILED', counts, seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    if (process.env.PEER_RANGES_KEEP === '1') console.log(`peer-ranges: kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  const ends = process.argv.slice(2);
  for (const end of ends) if (end !== 'lowest' && end !== 'highest') throw new Error(`usage: test-peer-ranges.mjs [lowest] [highest], got ${end}`);
  const missing = SUITES.filter((name) => !existsSync(join(root, 'packages', name, 'dist', 'index.js')));
  if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')} (run pnpm build first)`);
  const peers = declaredPeers();
  console.log(`peer-ranges: ${[...peers].map(([name, { range }]) => `${name} ${range}`).join(', ')}`);
  const results = [];
  for (const end of ends.length > 0 ? ends : ['lowest', 'highest']) results.push(await runSet(end, peers));
  console.log('\n=== peer ranges summary');
  for (const result of results) console.log(`${result.end.padEnd(8)} ${result.status}${result.counts ? ` (${result.counts}, ${result.seconds} s)` : ''}`);
  process.exitCode = results.every((result) => result.status === 'passed' || result.status === 'locked') ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`peer-ranges: ${error.message}`);
    process.exitCode = 2;
  });
}
