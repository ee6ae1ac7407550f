import type { Attributes } from '@opentelemetry/api';

// `httpAttributes`: the stable HTTP server span attributes
// (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-server-span)
// on the SERVER operation span, read from the request the server already
// handed to GraphQL: Yoga's Fetch `request`, Node's `req` (Yoga on node:http
// has both; envelop under another Node server has `req`). Only stable names:
// this plugin never emitted the old ones, so there is nothing to migrate
// from and OTEL_SEMCONV_STABILITY_OPT_IN does not apply.

/** What is read of a Fetch `Request` (Yoga's `context.request`). */
interface FetchRequestLike {
  method?: unknown;
  url?: unknown;
  headers?: { get?: unknown };
}

/** What is read of a Node `IncomingMessage` (`context.req`). */
interface NodeRequestLike {
  method?: unknown;
  url?: unknown;
  headers?: Record<string, unknown>;
  httpVersion?: unknown;
  socket?: { remoteAddress?: unknown; remotePort?: unknown; encrypted?: unknown };
}

interface ServerContextLike {
  request?: FetchRequestLike;
  req?: NodeRequestLike;
}

/** RFC 9110 methods, PATCH (RFC 5789) and QUERY, as instrumentation-http knows them; any other is `_OTHER`. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

/** Caps on values a client chooses, so one request cannot make a huge span. */
const MAX_PATH = 256;
const MAX_HOST = 255; // a DNS name's limit
const MAX_USER_AGENT = 512;
const MAX_METHOD = 32;

/**
 * The request attributes, or `undefined` when the GraphQL context carries no
 * HTTP request (graphql-ws, a test calling `execute`). Never throws: every
 * value is read defensively, since the context is whatever the server built.
 */
export function httpRequestAttributes(graphqlContext: unknown, route: string | undefined): Attributes | undefined {
  if (typeof graphqlContext !== 'object' || graphqlContext === null) return undefined;
  const { request, req } = graphqlContext as ServerContextLike;
  const fetchRequest = typeof request?.headers?.get === 'function' ? request : undefined;
  const nodeRequest = typeof req === 'object' && req !== null && typeof req.headers === 'object' && req.headers !== null ? req : undefined;
  if (!fetchRequest && !nodeRequest) return undefined;

  const header = (name: string): string | undefined => {
    if (fetchRequest) return stringOrUndefined((fetchRequest.headers!.get as (name: string) => unknown).call(fetchRequest.headers, name));
    const value = nodeRequest!.headers![name];
    return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
  };

  const attributes: Attributes = {};
  const method = stringOrUndefined(fetchRequest?.method ?? nodeRequest?.method);
  if (method !== undefined) {
    const upper = method.toUpperCase();
    if (KNOWN_METHODS.has(upper)) {
      attributes['http.request.method'] = upper;
      if (upper !== method) attributes['http.request.method_original'] = cap(method, MAX_METHOD);
    } else {
      attributes['http.request.method'] = '_OTHER';
      attributes['http.request.method_original'] = cap(method, MAX_METHOD);
    }
  }

  const target = parseTarget(stringOrUndefined(fetchRequest?.url ?? nodeRequest?.url));
  const scheme = target.scheme ?? (nodeRequest?.socket?.encrypted === true ? 'https' : nodeRequest ? 'http' : undefined);
  if (scheme) attributes['url.scheme'] = scheme;
  if (target.path !== undefined) attributes['url.path'] = cap(target.path, MAX_PATH);
  if (route !== undefined) attributes['http.route'] = route;

  const host = parseHost(header('host') ?? target.host);
  if (host) {
    attributes['server.address'] = cap(host.address, MAX_HOST);
    if (host.port !== undefined) attributes['server.port'] = host.port;
  }
  const userAgent = header('user-agent');
  if (userAgent !== undefined) attributes['user_agent.original'] = cap(userAgent, MAX_USER_AGENT);

  const peer = stringOrUndefined(nodeRequest?.socket?.remoteAddress);
  const client = forwardedFor(header('forwarded'), header('x-forwarded-for')) ?? peer;
  if (client !== undefined) attributes['client.address'] = client;
  if (peer !== undefined) {
    attributes['network.peer.address'] = peer;
    const port = nodeRequest?.socket?.remotePort;
    if (typeof port === 'number') attributes['network.peer.port'] = port;
  }
  const version = stringOrUndefined(nodeRequest?.httpVersion);
  // Node reports HTTP/2 as "2.0"; the conventions write "2" (and "1.1", "1.0").
  if (version !== undefined) attributes['network.protocol.version'] = version === '2.0' ? '2' : cap(version, 8);
  return attributes;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function cap(value: string, length: number): string {
  return value.length > length ? value.slice(0, length) : value;
}

/** An absolute URL (Fetch) or a request target (Node: `/graphql?x=1`): scheme, host, path; the query is never kept. */
function parseTarget(url: string | undefined): { scheme?: string; host?: string; path?: string } {
  if (url === undefined) return {};
  let rest = url;
  let scheme: string | undefined;
  let host: string | undefined;
  const absolute = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(url);
  if (absolute) {
    scheme = absolute[1]!.toLowerCase();
    host = absolute[2];
    rest = url.slice(absolute[0].length);
  }
  const end = rest.search(/[?#]/);
  const path = end === -1 ? rest : rest.slice(0, end);
  return { scheme, host, path: path === '' ? '/' : path };
}

/** `Host` (`api.example.com:8443`, `[::1]:4000`) → address and port. */
function parseHost(host: string | undefined): { address: string; port?: number } | undefined {
  if (!host) return undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(host);
  if (bracketed) return withPort(bracketed[1]!, bracketed[2]);
  const hostPort = /^([^:]+)(?::(\d{1,5}))?$/.exec(host);
  return hostPort ? withPort(hostPort[1]!, hostPort[2]) : undefined;
}

function withPort(address: string, port: string | undefined): { address: string; port?: number } {
  return port === undefined ? { address } : { address, port: Number(port) };
}

/**
 * The original client from `Forwarded: for=` (RFC 7239), else the first
 * `X-Forwarded-For` entry, as the conventions say. Both are written by
 * whoever sent the request, so the value is a label for triage, never a
 * trust decision; anything that is not an IP address is ignored (the socket
 * peer is used instead), so a client cannot put arbitrary text here.
 */
function forwardedFor(forwarded: string | undefined, xForwardedFor: string | undefined): string | undefined {
  if (forwarded) {
    const match = /(?:^|[;,\s])for=("?)([^";,\s]+)\1/i.exec(forwarded);
    if (match) return ipAddress(match[2]!);
  }
  if (xForwardedFor) return ipAddress(xForwardedFor.split(',')[0]!.trim());
  return undefined;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6 = /^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?::(?:\d{1,3}\.){3}\d{1,3})?$/i;

/** `203.0.113.7`, `203.0.113.7:1234`, `[2001:db8::1]:443`, `2001:db8::1` → the address; anything else → `undefined`. */
function ipAddress(value: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  const candidate = bracketed ? bracketed[1]! : /^[^:]+:\d+$/.test(value) ? value.slice(0, value.indexOf(':')) : value;
  return IPV4.test(candidate) || (candidate.length <= 45 && IPV6.test(candidate)) ? candidate : undefined;
}
