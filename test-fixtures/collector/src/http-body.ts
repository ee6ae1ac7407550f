// The request body an OTLP/HTTP server reads: the whole body, gunzipped when
// `Content-Encoding: gzip` (the collector's otlp_http exporter compresses with
// gzip by default; https://opentelemetry.io/docs/specs/otlp/#otlphttp-request
// lets servers take gzip). A body larger than the cap is cut off and refused
// rather than buffered without bound.
import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** A body too large, or compressed in a way we do not read. */
export class BodyError extends Error {}

export async function readBody(request: IncomingMessage, maxBytes = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyError(`body larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding === 'gzip') {
    try {
      return gunzipSync(raw, { maxOutputLength: maxBytes });
    } catch (error) {
      throw new BodyError(`bad gzip body: ${(error as Error).message}`);
    }
  }
  throw new BodyError(`unsupported Content-Encoding ${encoding}`);
}
