// The fake ingest server must decode what the real SDK sends; these pin the
// envelope format it implements (develop.sentry.dev/sdk/data-model/envelopes):
// items with and without `length`, binary payloads, gzip bodies, bad paths.
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseEnvelope, startSentryIngest } from '../src/ingest.js';
import type { SentryIngest } from '../src/types.js';

let ingest: SentryIngest;
beforeAll(async () => {
  ingest = await startSentryIngest();
});
afterAll(() => ingest.stop());

const payload = JSON.stringify({ type: 'transaction', transaction: 'a\\nb', contexts: { trace: { trace_id: 'f'.repeat(32), span_id: 'e'.repeat(16) } } });
const body = [
  JSON.stringify({ event_id: '9ec79c33ec9942ab8353589fcb2e04dc', trace: { trace_id: 'f'.repeat(32), public_key: 'k' } }),
  JSON.stringify({ type: 'transaction', length: Buffer.byteLength(payload) }),
  payload,
  JSON.stringify({ type: 'event' }),
  JSON.stringify({ message: 'no length: up to the newline' }),
  JSON.stringify({ type: 'attachment', length: 3 }),
  'a\nb',
].join('\n');

test('items with a length are read by bytes, items without one up to the newline, non-JSON payloads stay text', () => {
  const items = parseEnvelope(Buffer.from(body), '7');
  expect(items.map((item) => item.itemHeader.type)).toEqual(['transaction', 'event', 'attachment']);
  expect(items[0]!.envelopeHeader.trace).toEqual({ trace_id: 'f'.repeat(32), public_key: 'k' });
  expect((items[0]!.payload as { transaction: string }).transaction).toBe('a\\nb');
  expect(items[1]!.payload).toEqual({ message: 'no length: up to the newline' });
  expect(items[2]!.payload).toBe('a\nb');
  expect(items.every((item) => item.project === '7')).toBe(true);
});

function post(path: string, data: Buffer, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(ingest.dsn('k', '1'));
    const req = request({ host: url.hostname, port: url.port, path, method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(data);
  });
}

test('the server takes plain and gzip envelopes on /api/<project>/envelope/ and nothing else', async () => {
  expect(await post('/api/3/envelope/', Buffer.from(body))).toBe(200);
  expect(await post('/api/4/envelope/?sentry_key=k', gzipSync(body), { 'content-encoding': 'gzip' })).toBe(200);
  expect(await post('/api/3/store/', Buffer.from(body))).toBe(404);
  expect(ingest.transactions()).toHaveLength(2);
  expect(ingest.errorEvents()).toHaveLength(2);
  expect(ingest.items().map((item) => item.project)).toEqual(['3', '3', '3', '4', '4', '4']);
});
