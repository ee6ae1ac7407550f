// The rules the W3C harness checks, asserted against the same service with a
// real callback server: what goes out for each kind of inbound header. (The
// official harness itself runs with scripts/w3c-harness.sh.)
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { startW3cService, type W3cService } from '../src/service.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let service: W3cService;
let callbacks: Server;
let callbackUrl: string;
const received: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  service = await startW3cService(new BasicTracerProvider());
  callbacks = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/callback`;
});
afterAll(async () => {
  await service.stop();
  callbacks.close();
});
beforeEach(() => {
  received.length = 0;
});

/** POSTs to the service with raw header lines (repeats allowed) and asks for `calls` callbacks. */
function send(headers: [string, string][], calls = 2): Promise<number> {
  const body = JSON.stringify(Array.from({ length: calls }, () => ({ url: callbackUrl, arguments: [] })));
  const flat = headers.flat();
  return new Promise((resolve, reject) => {
    // Raw header arrays get no automatic Host, Content-Length or chunking from Node.
    const raw = [...flat, 'host', new URL(service.url).host, 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))];
    const req = request(service.url, { method: 'POST', headers: raw }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const VALID = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const parse = (tp: string) => /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(tp);

test('a valid traceparent: every call carries exactly one, same trace, a new parent-id each, flags kept', async () => {
  expect(await send([['traceparent', VALID], ['tracestate', 'foo=1,bar@=2']], 3)).toBe(200);
  expect(received).toHaveLength(3);
  const parents = new Set<string>();
  for (const headers of received) {
    const [, traceId, parentId, flags] = parse(headers.traceparent as string)!;
    expect(traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parentId).not.toBe('b7ad6b7169203331');
    expect(flags).toBe('01');
    parents.add(parentId!);
    expect(headers.tracestate).toBe('foo=1,bar@=2');
  }
  expect(parents.size).toBe(3);
});

test('unsampled stays unsampled', async () => {
  await send([['traceparent', VALID.replace(/-01$/, '-00')]], 1);
  expect(parse(received[0]!.traceparent as string)![3]).toBe('00');
});

test('a future version with more fields is read by its first four', async () => {
  await send([['traceparent', 'cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-the-future-will-be-like']], 1);
  expect(parse(received[0]!.traceparent as string)![1]).toBe('0af7651916cd43dd8448eb211c80319c');
});

test.each([
  ['version ff', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
  ['all-zero trace-id', '00-00000000000000000000000000000000-b7ad6b7169203331-01'],
  ['all-zero parent-id', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'],
  ['uppercase hex', '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01'],
  ['version 00 with extra fields', `${VALID}-extra`],
  ['short trace-id', '00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01'],
  ['garbage', 'not a traceparent'],
])('an invalid traceparent (%s) starts a new trace and drops tracestate', async (_name, traceparent) => {
  await send([['traceparent', traceparent], ['tracestate', 'foo=1']], 1);
  const match = parse(received[0]!.traceparent as string);
  expect(match).not.toBeNull();
  expect(match![1]).not.toBe('0af7651916cd43dd8448eb211c80319c');
  expect(received[0]!.tracestate).toBeUndefined();
});

test('two traceparent headers are invalid together: a new trace', async () => {
  await send([['traceparent', VALID], ['traceparent', VALID.replace('0af7', '1af7')]], 1);
  expect(parse(received[0]!.traceparent as string)![1]).not.toMatch(/^[01]af7651916cd43dd8448eb211c80319c$/);
});

test('an invalid tracestate is dropped whole; the trace continues', async () => {
  await send([['traceparent', VALID], ['tracestate', 'foo=1'], ['tracestate', 'bar=2=3']], 1);
  expect(parse(received[0]!.traceparent as string)![1]).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(received[0]!.tracestate).toBeUndefined();
});

test('tracestate split over several headers is one list', async () => {
  await send([['traceparent', VALID], ['tracestate', 'a=1'], ['tracestate', 'b=2']], 1);
  expect(received[0]!.tracestate).toBe('a=1,b=2');
});

// Level 2 (the harness's SPEC_LEVEL=2 test_propagates_random_flag): the random
// flag belongs to the trace ID, so every call of that trace carries it on.
test.each([
  ['random + sampled', '03'],
  ['random, not sampled', '02'],
])('Level 2: the random flag (%s) arrives and every call carries it on', async (_name, flags) => {
  await send([['traceparent', VALID.replace(/-01$/, `-${flags}`)]], 2);
  expect(received.map((headers) => parse(headers.traceparent as string)![3])).toEqual([flags, flags]);
});

test('Level 2: a new trace (the caller sent an invalid traceparent with the flag) never claims it', async () => {
  await send([['traceparent', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03']], 1);
  const [, traceId, , flags] = parse(received[0]!.traceparent as string)!;
  expect(traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
  expect(Number.parseInt(flags!, 16) & 0x02).toBe(0);
});
