// OTLP/HTTP receiver on loopback: POST /v1/traces as protobuf or JSON (gzip
// allowed). Other signals are accepted and ignored so exporters stay quiet.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { MAX_BODY_BYTES } from './defaults.js';
import { decodeTraceRequest, encodeTraceResponse } from './otlp-proto.js';
import { spansFromExportRequest } from './otlp-spans.js';
import type { SpanStore } from './span-store.js';
import type { TreeSpan } from './types.js';

export interface HttpReceiver {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, the value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The body, or undefined when it is over {@link MAX_BODY_BYTES} (then drained and discarded, so the client reads the 413). */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // A client that never stops sending loses its connection.
      if (size > 4 * MAX_BODY_BYTES) request.destroy();
      else if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', () => resolve(undefined));
  });
}

/** Decodes one request's spans; throws on malformed input. */
function decodeHttpExport(body: Buffer, contentType: string, contentEncoding: string | undefined): TreeSpan[] {
  const raw = contentEncoding === 'gzip' ? gunzipSync(body, { maxOutputLength: MAX_BODY_BYTES }) : body;
  const request = contentType.includes('json') ? (JSON.parse(raw.toString('utf8')) as unknown) : decodeTraceRequest(raw);
  return spansFromExportRequest(request);
}

async function handle(store: SpanStore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const contentType = request.headers['content-type'] ?? 'application/x-protobuf';
  const json = contentType.includes('json');
  const reply = (status: number, body: string | Uint8Array) =>
    response.writeHead(status, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(body);
  if (request.method !== 'POST') return void reply(405, json ? '{}' : new Uint8Array());
  const body = await readBody(request);
  if (body === undefined) {
    store.malformed++;
    return void response.writeHead(413, { connection: 'close' }).end();
  }
  if (!request.url?.startsWith('/v1/traces')) return void reply(200, json ? '{}' : new Uint8Array());
  try {
    store.add(decodeHttpExport(body, contentType, request.headers['content-encoding']));
  } catch {
    store.malformed++;
    return void reply(400, json ? '{"error":"malformed OTLP export"}' : new Uint8Array());
  }
  reply(200, json ? '{}' : encodeTraceResponse());
}

/** Starts the receiver on 127.0.0.1:`port` (0 picks one). Rejects when the port is taken. */
export async function startHttpReceiver(store: SpanStore, port = 0): Promise<HttpReceiver> {
  const server: Server = createServer((request, response) => {
    handle(store, request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    endpoint: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
