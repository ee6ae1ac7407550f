import type { Attributes, Tracer } from '@opentelemetry/api';
import { compileOutbound, compileTrustPolicy, type CompiledOutbound, type CompiledTrustPolicy } from '@tracehop/core';
import {
  checkOptions,
  instrumentationChecks,
  isBoolean,
  isSemconvOption,
  isString,
  isTrustPolicy,
  outboundChecks,
  resolveTracer,
  semconvStability,
  type OptionSchema,
  type SemconvStability,
} from '@tracehop/core/internal';
import { parseTarget, startAttributesByPath } from './attributes.js';
import { SCOPE_NAME, SCOPE_VERSION } from './scope.js';
import type { ClientInterceptorOptions, RpcSpanOptions, ServerCallInfo, ServerInterceptorOptions } from './types.js';

// Each interceptor's options, checked and compiled once when it is created
// into the one object its request path reads.

/** What both interceptors read per call. */
export interface RpcHop {
  readonly tracer: Tracer;
  readonly recordSpans: boolean;
  readonly semconv: SemconvStability;
  /** The attributes a call's span starts with, by method path (cached per method). */
  readonly startAttributes: (path: string) => Attributes;
}

export interface ClientHop extends RpcHop {
  readonly outbound: CompiledOutbound;
}

export interface ServerHop extends RpcHop {
  readonly policy: CompiledTrustPolicy<ServerCallInfo>;
}

const rpcSpanChecks: OptionSchema = { ...instrumentationChecks, recordSpans: isBoolean, semconv: isSemconvOption };

export const clientOptionChecks: OptionSchema = {
  ...rpcSpanChecks,
  ...outboundChecks,
  target: isString('a string like "host:port"'),
};

export const serverOptionChecks: OptionSchema = { ...rpcSpanChecks, trust: isTrustPolicy };

/** gRPC sends at most 4096 bytes of baggage: grpc-java rejects header blocks over 8 KiB. */
const GRPC_BAGGAGE_LIMITS = { maxMembers: 64, maxBytes: 4096 };

export function compileClientOptions(options: ClientInterceptorOptions): ClientHop {
  checkOptions('createClientInterceptor', options, clientOptionChecks);
  const semconv = semconvStability('rpc', options.semconv);
  return {
    ...rpcHop(options, semconv),
    startAttributes: startAttributesByPath(semconv, parseTarget(options.target)),
    outbound: compileOutbound(options, { baggageLimits: GRPC_BAGGAGE_LIMITS }),
  };
}

export function compileServerOptions(options: ServerInterceptorOptions): ServerHop {
  checkOptions('createServerInterceptor', options, serverOptionChecks);
  const semconv = semconvStability('rpc', options.semconv);
  return {
    ...rpcHop(options, semconv),
    startAttributes: startAttributesByPath(semconv),
    // Backends behind a BFF hear from internal callers: trusted, baggage kept, unless told otherwise.
    policy: compileTrustPolicy<ServerCallInfo>(options.trust, { acceptBaggage: true, propagator: options.propagator }),
  };
}

function rpcHop(options: RpcSpanOptions, semconv: SemconvStability): Omit<RpcHop, 'startAttributes'> {
  return {
    tracer: resolveTracer(options.tracerProvider, SCOPE_NAME, SCOPE_VERSION),
    recordSpans: options.recordSpans ?? true,
    semconv,
  };
}
