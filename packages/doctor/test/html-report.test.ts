// The HTML report in a real headless browser (Debian's Chromium driven by
// playwright-core): the page renders, a screenshot is taken, and each probe's
// waterfall has one bar per span with widths proportional to durations.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { startBff, startNodeBackend } from '@tracehop/fixture-bff';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderHtmlReport, runDoctor, type Report } from '../src/index.js';
import { startReceiver } from '../src/testing.js';
import { startBrokenBff } from './fixtures/broken-bff.js';
import { exportingTelemetry } from './fixtures/exporting-telemetry.js';

/** Installed by `apt-get install -y chromium` (see the package README). */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let browser: Browser;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}, 60_000);
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await browser?.close();
});

/** One healthy probe and one through a BFF with @envelop/opentelemetry alone, in one report. */
async function mixedReport(): Promise<Report> {
  const reports: Report[] = [];
  for (const broken of [false, true]) {
    const receiver = await startReceiver({ port: 0 });
    const bffTelemetry = exportingTelemetry('bff', { endpoint: receiver.endpoint });
    const backendTelemetry = exportingTelemetry('node-backend', { endpoint: receiver.endpoint });
    const backend = await startNodeBackend(backendTelemetry);
    const bff = broken
      ? await startBrokenBff({ telemetry: bffTelemetry, backendAddress: backend.address, graphql: 'envelop-otel' })
      : await startBff({ telemetry: bffTelemetry, backendAddress: backend.address });
    cleanups.push(() => receiver.close(), () => bffTelemetry.shutdown(), () => backendTelemetry.shutdown(), () => backend.stop(), () => bff.stop());
    reports.push(await runDoctor({ url: bff.url, query: '{ patient(id: "p-1") { id summary } }', headers: { authorization: 'Bearer token-hospital-a' }, probes: 1, exportDelayMs: 0, settleMs: 1_000, waitMs: 10_000 }, receiver));
  }
  const [healthy, broken] = reports as [Report, Report];
  return { ...healthy, ok: false, probes: [healthy.probes[0]!, { ...broken.probes[0]!, index: 2 }] };
}

it('renders every probe with a waterfall whose bars are really there', async () => {
  const report = await mixedReport();
  const dir = mkdtempSync(join(tmpdir(), 'doctor-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, renderHtmlReport(report));
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Self-contained: any request beyond the page itself fails the test.
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  expect(await page.title()).toBe('tracehop doctor: breaks found');
  expect(requests).toEqual([pathToFileURL(file).href]);

  const screenshot = join(dir, 'report.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  expect(statSync(screenshot).size).toBeGreaterThan(10_000);

  const waterfalls = await page.$$eval('.waterfall', (nodes) =>
    nodes.map((node) => ({
      totalMs: Number((node as HTMLElement).dataset.totalMs),
      bars: [...node.querySelectorAll<HTMLElement>('.bar')].map((bar) => ({
        durationMs: Number(bar.dataset.durationMs),
        width: bar.getBoundingClientRect().width,
        track: bar.parentElement!.getBoundingClientRect().width,
        visible: bar.getBoundingClientRect().height > 0,
      })),
    })),
  );
  expect(waterfalls).toHaveLength(2);
  for (const [i, waterfall] of waterfalls.entries()) {
    expect(waterfall.bars).toHaveLength(report.probes[i]!.spans.length);
    for (const bar of waterfall.bars) {
      expect(bar.visible).toBe(true);
      // min-width 2px keeps sub-pixel spans visible; the rest are proportional within a pixel.
      const expected = Math.max(2, (bar.durationMs / waterfall.totalMs) * bar.track);
      expect(Math.abs(bar.width - expected)).toBeLessThan(1.5);
    }
    // The root span covers the whole request: the widest bar fills (almost) the track.
    expect(Math.max(...waterfall.bars.map((b) => b.width / b.track))).toBeGreaterThan(0.9);
  }
  expect(await page.locator('[data-kind="entry-new-trace"]').count()).toBe(1);
  await page.close();
}, 60_000);
