// The performance goals, once for both harnesses; BENCHMARKS.md ("Goals")
// states the same in words. Each is set against the hop's floor (what any
// implementation pays before its own logic runs) or against the peer a user
// would pick instead, measured in the same run.

export const GOALS = {
  grpcPropagation: {
    text: "gRPC propagation: tracehop's own work ≤ 3 µs per call above the constant-headers floor; ≥ 0.97 of that floor over loopback",
    ownWorkMicros: 3,
    loopbackRatio: 0.97,
  },
  grpcSpans: { text: 'gRPC client + server spans: ≥ 1.25× instrumentation-grpc', peerRatio: 1.25 },
  graphql: { text: 'GraphQL operation span: ≥ 0.97 of a minimal one-span plugin; ahead of @envelop/opentelemetry', floorRatio: 0.97, peerRatio: 1 },
  pino: { text: "pino line: within 5 % of a constant three-field mixin; ≤ 0.60 of instrumentation-pino's added cost", floorRatio: 0.95, peerShare: 0.6 },
  e2e: { text: 'end to end, everything on: ≥ 0.97 of the sum of the hop floors', floorRatio: 0.97 },
  export: { text: 'exporting with an ID token: nothing on the request path', staticRatio: 1 },
};
