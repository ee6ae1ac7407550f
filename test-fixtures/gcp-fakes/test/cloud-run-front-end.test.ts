// The Cloud Run front end fake against a plain container that echoes what it
// received: which requests pass the Invoker IAM check and how they look on
// arrival, with tokens minted by the real google-auth-library through the fake
// metadata server (as a service on Cloud Run gets them).
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createH2cServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { GoogleAuth } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createIssuer, SIGNATURE_REMOVED, startCloudRunFrontEnd, type CloudRunFrontEnd } from '../src/index.js';
import { useFakeMetadataServer } from '../src/vitest.js';

const issuer = createIssuer();
const CALLER = 'bff@hospital-saas.iam.gserviceaccount.com';
const fake = useFakeMetadataServer({ issuer, serviceAccountEmail: CALLER });

/** A container that answers with the method, path, protocol and headers it got. */
async function echoContainer(kind: 'http1' | 'h2c'): Promise<{ port: number; seen: IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const handler = (req: { headers: IncomingHttpHeaders; httpVersion: string; method?: string; url?: string; resume: () => void }, res: { writeHead: (s: number, h: Record<string, string>) => { end: (b: string) => void } }) => {
    seen.push(req.headers);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version: req.httpVersion, method: req.method, path: req.url }));
  };
  const server: Server | Http2Server = kind === 'http1' ? createServer(handler) : createH2cServer(handler as never);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function idToken(audience: string): Promise<string> {
  const client = await new GoogleAuth().getIdTokenClient(audience);
  return (await client.getRequestHeaders()).get('authorization')!.slice('Bearer '.length);
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (aud: string, email = CALLER, exp = now() + 600) => ({ aud, email, sub: email, iat: now(), exp });

describe('Invoker IAM check (HTTP/1.1 to the container)', () => {
  let container: Awaited<ReturnType<typeof echoContainer>>;
  let frontEnd: CloudRunFrontEnd;
  beforeAll(async () => {
    container = await echoContainer('http1');
    frontEnd = await startCloudRunFrontEnd({ issuer, containerPort: container.port, invokers: [CALLER], customAudiences: ['https://otel.hospital-saas.example'], secondMs: 20 });
    await frontEnd.ready();
  });
  afterAll(async () => {
    await frontEnd?.close();
    await container?.close();
  });

  const post = (headers: Record<string, string>) =>
    fetch(`${frontEnd.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

  test('a token from the metadata server for either run.app URL or a custom audience reaches the container over HTTP/1.1, its signature removed', async () => {
    for (const audience of [frontEnd.serviceUrls.deterministic, frontEnd.serviceUrls.hash, `${frontEnd.serviceUrls.hash}/`, 'https://otel.hospital-saas.example']) {
      const token = await idToken(audience);
      const response = await post({ authorization: `Bearer ${token}` });
      expect(response.status, audience).toBe(200);
      expect(await response.json()).toEqual({ version: '1.1', method: 'POST', path: '/v1/traces' });
      const arrived = container.seen.at(-1)!;
      const [h, p, s] = String(arrived.authorization).slice('Bearer '.length).split('.');
      expect(`${h}.${p}`).toBe(token.split('.').slice(0, 2).join('.'));
      expect(s).toBe(SIGNATURE_REMOVED);
      expect(issuer.verify(`${h}.${p}.${s}`)).toEqual({ ok: false, reason: 'bad signature' });
    }
    expect(frontEnd.requests.at(-1)!.decision).toMatchObject({ allowed: true, email: CALLER, header: 'authorization' });
  });

  test('X-Serverless-Authorization wins when both are sent: it is checked and stripped, Authorization passes untouched', async () => {
    const token = await idToken(frontEnd.serviceUrls.deterministic);
    const response = await post({ 'x-serverless-authorization': `Bearer ${token}`, authorization: 'Bearer app-own-token' });
    expect(response.status).toBe(200);
    const arrived = container.seen.at(-1)!;
    expect(arrived.authorization).toBe('Bearer app-own-token');
    expect(String(arrived['x-serverless-authorization'])).toMatch(new RegExp(`\\.${SIGNATURE_REMOVED}$`));
    // The app's own header is never what IAM looks at: a garbage X-Serverless-Authorization fails even beside a valid Authorization.
    expect((await post({ 'x-serverless-authorization': 'Bearer not.a.jwt', authorization: `Bearer ${token}` })).status).toBe(401);
  });

  test('401 for a token Google did not sign for this service, 403 for no token or a caller without roles/run.invoker; HTML pages; nothing reaches the container', async () => {
    const before = container.seen.length;
    const aud = frontEnd.serviceUrls.deterministic;
    const cases: Record<string, [Record<string, string>, number]> = {
      'no header': [{}, 403],
      'Basic credentials': [{ authorization: 'Basic dXNlcjpwYXNz' }, 403],
      'not a JWT': [{ authorization: 'Bearer garbage' }, 401],
      expired: [{ authorization: `Bearer ${issuer.sign(claims(aud, CALLER, now() - 5))}` }, 401],
      'wrong audience': [{ authorization: `Bearer ${issuer.sign(claims('https://other-123456789012.europe-west1.run.app'))}` }, 401],
      'path in the audience': [{ authorization: `Bearer ${issuer.sign(claims(`${aud}/v1/traces`))}` }, 401],
      'foreign signing key': [{ authorization: `Bearer ${createIssuer().sign(claims(aud))}` }, 401],
      'a forwarded token (signature removed)': [{ authorization: `Bearer ${issuer.sign(claims(aud)).split('.').slice(0, 2).join('.')}.${SIGNATURE_REMOVED}` }, 401],
      'valid token, caller not an invoker': [{ authorization: `Bearer ${issuer.sign(claims(aud, 'intruder@other-project.iam.gserviceaccount.com'))}` }, 403],
    };
    const statuses: Record<string, number> = {};
    for (const [name, [headers, expected]] of Object.entries(cases)) {
      const response = await post(headers);
      statuses[name] = response.status;
      expect(response.headers.get('content-type'), name).toMatch(/^text\/html/);
      expect(await response.text(), name).toContain(expected === 401 ? 'Error: Unauthorized' : 'Error: Forbidden');
    }
    expect(statuses).toEqual(Object.fromEntries(Object.entries(cases).map(([name, [, expected]]) => [name, expected])));
    expect(container.seen.length).toBe(before);
  });

  test('invoker bindings can change: a caller added is let in, one removed is refused', async () => {
    const token = issuer.sign(claims(frontEnd.serviceUrls.deterministic, 'kotlin@hospital-saas.iam.gserviceaccount.com'));
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(403);
    frontEnd.setInvokers([CALLER, 'kotlin@hospital-saas.iam.gserviceaccount.com']);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(200);
    frontEnd.setInvokers([CALLER]);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(403);
  });

  test("adds traceparent and X-Cloud-Trace-Context (its own span, the caller's trace ID and flag) and X-Forwarded-For/-Proto", async () => {
    const token = await idToken(frontEnd.serviceUrls.deterministic);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await post({ authorization: `Bearer ${token}`, traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const withCaller = container.seen.at(-1)!;
    expect(withCaller.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const spanId = String(withCaller.traceparent).split('-')[2]!;
    expect(spanId).not.toBe('00f067aa0ba902b7');
    expect(withCaller['x-cloud-trace-context']).toBe(`${traceId}/${BigInt(`0x${spanId}`).toString()};o=1`);
    expect(withCaller['x-forwarded-proto']).toBe('https');
    expect(withCaller['x-forwarded-for']).toBe('127.0.0.1');
    await post({ authorization: `Bearer ${token}` });
    expect(container.seen.at(-1)!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});

describe('service settings', () => {
  test('--no-invoker-iam-check lets everyone in and leaves every header as sent', async () => {
    const container = await echoContainer('http1');
    const frontEnd = await startCloudRunFrontEnd({ issuer, containerPort: container.port, invokerIamCheck: false, secondMs: 20 });
    try {
      const token = issuer.sign(claims('https://anything'));
      expect((await fetch(`${frontEnd.url}/`, { headers: {} })).status).toBe(200);
      expect((await fetch(`${frontEnd.url}/`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(container.seen.at(-1)!.authorization).toBe(`Bearer ${token}`);
    } finally {
      await frontEnd.close();
      await container.close();
    }
  });

  test('--use-http2 forwards h2c to the container', async () => {
    const container = await echoContainer('h2c');
    const frontEnd = await startCloudRunFrontEnd({ issuer, containerPort: container.port, invokers: [CALLER], http2: true, secondMs: 20 });
    try {
      const response = await fetch(`${frontEnd.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${await idToken(frontEnd.serviceUrls.hash)}` }, body: '{}' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ version: '2.0', method: 'POST', path: '/v1/traces' });
    } finally {
      await frontEnd.close();
      await container.close();
    }
  });

  test('requests wait for the startup probe; liveness probes start after it and report a dead container', async () => {
    const container = await echoContainer('http1');
    // The startup probe targets a port nothing listens on yet: the instance is not started.
    const late = createServer((_, res) => res.writeHead(204).end());
    const latePort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const unhealthy: string[] = [];
    const frontEnd = await startCloudRunFrontEnd({
      issuer,
      containerPort: container.port,
      invokers: [CALLER],
      secondMs: 20,
      probes: { startup: { httpGet: { path: '/', port: latePort }, periodSeconds: 1, failureThreshold: 100 }, liveness: { httpGet: { path: '/', port: latePort }, periodSeconds: 1, failureThreshold: 2 } },
      onUnhealthy: (kind) => unhealthy.push(kind),
    });
    try {
      const token = await idToken(frontEnd.serviceUrls.deterministic);
      let answered = false;
      const pending = fetch(`${frontEnd.url}/`, { headers: { authorization: `Bearer ${token}` } }).then((r) => ((answered = true), r.status));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(answered).toBe(false);
      expect(container.seen).toHaveLength(0);
      late.listen(latePort, '127.0.0.1');
      expect(await pending).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(frontEnd.probes.some((p) => p.kind === 'liveness' && p.ok)).toBe(true);
      await new Promise<void>((resolve) => late.close(() => resolve()));
      late.closeAllConnections();
      const deadline = Date.now() + 2_000;
      while (!unhealthy.includes('liveness') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhealthy).toEqual(['liveness']);
      const kinds = frontEnd.probes.map((p) => `${p.kind}:${p.ok}`);
      expect(kinds.indexOf('startup:true')).toBeLessThan(kinds.indexOf('liveness:true'));
      expect(kinds.slice(-2)).toEqual(['liveness:false', 'liveness:false']);
    } finally {
      await frontEnd.close();
      await container.close();
      late.close();
    }
  });
});

void fake;
