import type { Attributes, TextMapPropagator, Tracer } from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';
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
import { compileIgnoreMethods, isIgnoreMethods } from './ignore-methods.js';
import { compileMetadataAttributes, isMetadataAttributes, propagatorFieldsListed } from './metadata-attributes.js';
import { isRpcHook, type RpcHook } from './rpc-hooks.js';
import { SCOPE_NAME, SCOPE_VERSION } from './scope.js';
import type {
  ClientCallEndInfo,
  ClientCallInfo,
  ClientInterceptorOptions,
  RpcSpanOptions,
  ServerCallEndInfo,
  ServerCallInfo,
  ServerInterceptorOptions,
} from './types.js';

// Each interceptor's options, checked and compiled once when it is created
// into the one object its request path reads.

/** What both interceptors read per call. */
export interface RpcHop {
  readonly tracer: Tracer;
  readonly recordSpans: boolean;
  readonly semconv: SemconvStability;
  /** The attributes a call's span starts with, by method path (cached per method). */
  readonly startAttributes: (path: string) => Attributes;
  /** `ignoreMethods` compiled: is this path's call left without a span? `undefined` when nothing is ignored. */
  readonly ignored: ((path: string) => boolean) | undefined;
  /** `metadataAttributes` compiled; `undefined` when none is listed. */
  readonly metadataAttributes: ((metadata: Metadata) => Attributes) | undefined;
}

export interface ClientHop extends RpcHop {
  readonly outbound: CompiledOutbound;
  readonly onStart: RpcHook<ClientCallInfo> | undefined;
  readonly onEnd: RpcHook<ClientCallEndInfo> | undefined;
}

export interface ServerHop extends RpcHop {
  readonly policy: CompiledTrustPolicy<ServerCallInfo>;
  readonly onStart: RpcHook<ServerCallInfo> | undefined;
  readonly onEnd: RpcHook<ServerCallEndInfo> | undefined;
}

const rpcSpanChecks: OptionSchema = {
  ...instrumentationChecks,
  recordSpans: isBoolean,
  semconv: isSemconvOption,
  ignoreMethods: isIgnoreMethods,
  metadataAttributes: isMetadataAttributes,
  onStart: isRpcHook,
  onEnd: isRpcHook,
};

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
    ...rpcHop('createClientInterceptor', options, semconv),
    startAttributes: startAttributesByPath(semconv, parseTarget(options.target)),
    outbound: compileOutbound(options, { baggageLimits: GRPC_BAGGAGE_LIMITS }),
    onStart: options.onStart,
    onEnd: options.onEnd,
  };
}

export function compileServerOptions(options: ServerInterceptorOptions): ServerHop {
  checkOptions('createServerInterceptor', options, serverOptionChecks);
  const semconv = semconvStability('rpc', options.semconv);
  return {
    ...rpcHop('createServerInterceptor', options, semconv),
    startAttributes: startAttributesByPath(semconv),
    // Backends behind a BFF hear from internal callers: trusted, baggage kept, unless told otherwise.
    policy: compileTrustPolicy<ServerCallInfo>(options.trust, { acceptBaggage: true, propagator: options.propagator }),
    onStart: options.onStart,
    onEnd: options.onEnd,
  };
}

function rpcHop(factory: string, options: RpcSpanOptions, semconv: SemconvStability): Omit<RpcHop, 'startAttributes'> {
  refusePropagatorFields(factory, options.metadataAttributes, options.propagator);
  return {
    tracer: resolveTracer(options.tracerProvider, SCOPE_NAME, SCOPE_VERSION),
    recordSpans: options.recordSpans ?? true,
    semconv,
    ignored: compileIgnoreMethods(options.ignoreMethods),
    metadataAttributes: compileMetadataAttributes(options.metadataAttributes, semconv),
  };
}

/** The fixed list is in the check; a header only the configured propagator reads is caught here. */
function refusePropagatorFields(factory: string, keys: readonly string[] | undefined, propagator: TextMapPropagator | undefined): void {
  const listed = keys && propagatorFieldsListed(keys, propagator);
  if (listed) {
    throw new TypeError(`${factory}: option "metadataAttributes" lists "${listed}", a header the propagator reads; trace context never becomes a span attribute`);
  }
}
