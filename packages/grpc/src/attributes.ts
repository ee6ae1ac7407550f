import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { SemconvStability } from '@tracehop/core/internal';

// RPC semantic conventions (v1.45): stable names, and the pre-v1.39 names the
// Java agent and instrumentation-grpc still emit by default.
const RPC_SYSTEM = 'rpc.system';
const RPC_SYSTEM_NAME = 'rpc.system.name';
const RPC_SERVICE = 'rpc.service';
const RPC_METHOD = 'rpc.method';
const RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
const RPC_STATUS_CODE = 'rpc.status_code';
const ERROR_TYPE = 'error.type';
const SERVER_ADDRESS = 'server.address';
const SERVER_PORT = 'server.port';

/** Server-side codes that mean the server failed (semconv rpc-spans, spec PR #3333). */
const SERVER_ERROR_CODES = new Set<number>([
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
]);

const STATUS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(GrpcStatus)
    .filter(([, code]) => typeof code === 'number')
    .map(([name, code]) => [code, name]),
);

/** `/pkg.Service/Method` → `pkg.Service/Method`, the span name and stable `rpc.method`. */
export function fullMethodName(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/**
 * The attributes a call's span starts with, by method path: computed once per
 * method and hop, not per call. Bounded by the methods the hop sees, and
 * grpc-js answers paths a server does not have before any interceptor runs.
 */
export function startAttributesByPath(semconv: SemconvStability, server?: ServerEndpoint): (path: string) => Attributes {
  const byPath = new Map<string, Attributes>();
  return (path) => {
    let attributes = byPath.get(path);
    if (!attributes) {
      attributes = startAttributes(path, semconv, server);
      byPath.set(path, attributes);
    }
    return attributes;
  };
}

function startAttributes(path: string, semconv: SemconvStability, server: ServerEndpoint | undefined): Attributes {
  const method = fullMethodName(path);
  const attributes: Attributes = {};
  if (semconv.old) {
    const slash = method.lastIndexOf('/');
    attributes[RPC_SYSTEM] = 'grpc';
    attributes[RPC_SERVICE] = method.slice(0, slash);
    attributes[RPC_METHOD] = method.slice(slash + 1);
  }
  if (semconv.stable) {
    attributes[RPC_SYSTEM_NAME] = 'grpc';
    attributes[RPC_METHOD] = method;
  }
  if (server) {
    attributes[SERVER_ADDRESS] = server.address;
    if (server.port !== undefined) attributes[SERVER_PORT] = server.port;
  }
  return attributes;
}

/** Records the final status and sets the span status the way semconv prescribes for each side. */
export function recordStatus(span: Span, code: number, message: string, side: 'client' | 'server', semconv: SemconvStability): void {
  const name = STATUS_NAMES[code] ?? String(code);
  if (semconv.old) span.setAttribute(RPC_GRPC_STATUS_CODE, code);
  if (semconv.stable) span.setAttribute(RPC_STATUS_CODE, name);
  const isError = code !== GrpcStatus.OK && (side === 'client' || SERVER_ERROR_CODES.has(code));
  if (isError) {
    span.setAttribute(ERROR_TYPE, name);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
}

export interface ServerEndpoint {
  address: string;
  port?: number;
}

/**
 * `server.address`/`server.port` from a grpc-js channel target:
 * `dns:///api.internal:443`, `api.internal:443`, `ipv6:[::1]:50051`, `unix:/run/x.sock`.
 */
export function parseTarget(target: string | undefined): ServerEndpoint | undefined {
  if (!target) return undefined;
  let rest = target;
  const scheme = /^(dns|ipv4|ipv6|unix|unix-abstract|vsock|xds):/i.exec(rest);
  if (scheme) {
    if (scheme[1]!.toLowerCase().startsWith('unix')) return { address: target };
    // dns://authority/host:port names the resolver first; the endpoint follows it.
    rest = rest.slice(scheme[0].length).replace(/^\/\/[^/]*\//, '');
  }
  rest = rest.split(',')[0] ?? rest; // ipv4:a:1,b:2 lists several; the first names the endpoint
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) return withPort(bracketed[1]!, bracketed[2]);
  const hostPort = /^([^:]+):(\d+)$/.exec(rest);
  if (hostPort) return withPort(hostPort[1]!, hostPort[2]);
  return rest ? { address: rest } : undefined;
}

function withPort(address: string, port: string | undefined): ServerEndpoint {
  return port === undefined ? { address } : { address, port: Number(port) };
}
