// The test service of the W3C trace-context harness (w3c/trace-context, test/):
// for each `{url, arguments}` it is sent, it POSTs `arguments` to `url`, one
// call after another, each under a new CLIENT span of the inbound trace. The
// inbound and outbound paths are exactly @tracehop/core's, the same code the
// GraphQL plugin runs: compileTrustPolicy(...).continueTrace + headersGetter,
// then injectOutbound.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, ROOT_CONTEXT, SpanKind, trace, type TracerProvider } from '@opentelemetry/api';
import { compileTrustPolicy, headersGetter, injectOutbound } from '@tracehop/core';

interface Instruction {
  url: string;
  arguments: Instruction[];
}

export interface W3cService {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startW3cService(tracerProvider: TracerProvider, port = 0): Promise<W3cService> {
  const tracer = tracerProvider.getTracer('tracehop-w3c-service');
  // The harness is a trusted caller: the point is to continue its trace.
  const policy = compileTrustPolicy<IncomingMessage>({}, { acceptBaggage: true });

  const server: Server = createServer(async (req, res) => {
    try {
      const instructions = parseInstructions(await readBody(req));
      const inbound = policy.continueTrace(ROOT_CONTEXT, req.headers, headersGetter, req);
      for (const instruction of instructions) {
        const span = tracer.startSpan('POST', { kind: SpanKind.CLIENT, links: inbound.links }, inbound.context);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        injectOutbound(trace.setSpan(inbound.context, span), headers, { set: (carrier, key, value) => (carrier[key] = value) });
        await context.with(trace.setSpan(inbound.context, span), () => post(instruction.url, headers, JSON.stringify(instruction.arguments)));
        span.end();
      }
      res.writeHead(200).end();
    } catch {
      res.writeHead(400).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/test`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseInstructions(body: string): Instruction[] {
  const parsed: unknown = JSON.parse(body);
  return Array.isArray(parsed) ? (parsed as Instruction[]) : [];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function post(url: string, headers: Record<string, string>, body: string): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    // A failed callback is the harness's to judge; the service answers either way.
    req.on('error', () => resolve());
    req.setTimeout(5_000, () => req.destroy());
    req.end(body);
  });
}
