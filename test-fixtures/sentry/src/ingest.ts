// A loopback Sentry ingest server: what cannot run here (sentry.io), speaking
// Sentry's real envelope protocol to the real @sentry/node transport.
// POST /api/<project>/envelope/ carries newline-delimited JSON: an envelope
// header, then per item an item header and a payload (exactly `length` bytes
// when the item header gives one, else up to the next newline). Bodies may be
// gzip-compressed (the SDK compresses large ones).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { SentryEnvelopeItem, SentryEvent, SentryIngest } from './types.js';

const ENVELOPE_PATH = /^\/api\/([^/]+)\/envelope\/?(\?.*)?$/;

/** Splits one envelope body into its items. Malformed bodies yield what parsed before the fault. */
export function parseEnvelope(body: Buffer, project: string): SentryEnvelopeItem[] {
  const items: SentryEnvelopeItem[] = [];
  let offset = 0;
  const readLine = (): string | undefined => {
    if (offset >= body.length) return undefined;
    const end = body.indexOf(0x0a, offset);
    const line = body.subarray(offset, end === -1 ? body.length : end).toString('utf8');
    offset = end === -1 ? body.length : end + 1;
    return line;
  };
  const header = JSON.parse(readLine() ?? '{}') as SentryEnvelopeItem['envelopeHeader'];
  for (let line = readLine(); line !== undefined; line = readLine()) {
    if (line.trim() === '') continue;
    const itemHeader = JSON.parse(line) as SentryEnvelopeItem['itemHeader'];
    let payloadText: string;
    if (typeof itemHeader.length === 'number') {
      payloadText = body.subarray(offset, offset + itemHeader.length).toString('utf8');
      offset += itemHeader.length;
      if (body[offset] === 0x0a) offset++;
    } else {
      payloadText = readLine() ?? '';
    }
    let payload: unknown = payloadText;
    try {
      payload = JSON.parse(payloadText);
    } catch {
      // Attachments and other binary items stay as text.
    }
    items.push({ project, envelopeHeader: header, itemHeader, payload });
  }
  return items;
}

/** Starts the ingest server on 127.0.0.1 and a free port. */
export async function startSentryIngest(): Promise<SentryIngest> {
  const items: SentryEnvelopeItem[] = [];
  const server: Server = createServer((req, res) => {
    const match = req.method === 'POST' ? ENVELOPE_PATH.exec(req.url ?? '') : null;
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    readBody(req)
      .then((raw) => {
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        items.push(...parseEnvelope(body, match[1]!));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      })
      .catch(() => res.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const events = (type: string) =>
    items.filter((item) => item.itemHeader.type === type && typeof item.payload === 'object').map((item) => item.payload as SentryEvent);
  return {
    dsn: (publicKey, projectId) => `http://${publicKey}@127.0.0.1:${port}/${projectId}`,
    items: () => [...items],
    transactions: () => events('transaction'),
    errorEvents: () => events('event'),
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = items.filter(predicate);
        if (found.length > 0) return found;
        if (Date.now() > deadline) throw new Error(`no matching Sentry envelope item within ${timeoutMs} ms; got ${JSON.stringify(items.map((i) => i.itemHeader.type))}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    reset: () => void (items.length = 0),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
