// A known mix of requests per hospital and operation, and what span metrics
// must count for it: computed from what was SENT (the fixture's behaviour),
// never from the spans the services exported.

/** The GraphQL operations the BFF lists in `operationNames`, and the gRPC method each one calls. */
export const OPERATIONS = {
  GetPatient: { query: 'query GetPatient($id: ID!) { patient(id: $id) { id summary } }', grpcMethod: 'Say' },
  PatientVitals: { query: 'query PatientVitals($id: ID!) { patient(id: $id) { id vitals } }', grpcMethod: 'Stream' },
} as const;
export type Operation = keyof typeof OPERATIONS;
export type Route = 'via node' | 'via kotlin';
export type Outcome = 'ok' | 'error' | 'slow';
export const HOSPITAL_TOKENS = { hospital_a: 'token-hospital-a', hospital_b: 'token-hospital-b' } as const;
export type Hospital = keyof typeof HOSPITAL_TOKENS;

export interface MixRequest {
  hospital: Hospital;
  operation: Operation;
  route: Route;
  outcome: Outcome;
}

/** Patient IDs the fixture treats specially: `p-fail` makes `Say` fail (INTERNAL), `p-slow` makes the Node backend wait. */
export const patientFor = (outcome: Outcome, i: number) => (outcome === 'error' ? 'p-fail' : outcome === 'slow' ? 'p-slow' : `p-${i}`);

/** `count` requests of each kind, for both routes unless the kind names one. */
export function buildMix(spec: Array<[Hospital, Operation, Outcome, number, Route?]>): MixRequest[] {
  const mix: MixRequest[] = [];
  for (const [hospital, operation, outcome, count, only] of spec) {
    for (const route of only ? [only] : (['via node', 'via kotlin'] as const)) {
      for (let i = 0; i < count; i++) mix.push({ hospital, operation, outcome, route });
    }
  }
  return mix;
}

/** What span metrics must show for one (service, tenant, operation) row of SERVER spans. */
export interface ExpectedRow {
  calls: number;
  errors: number;
  /** Duration at or below 1 s, and above it. */
  fast: number;
  slow: number;
}

export const rowKey = (service: string, tenant: unknown, operation: unknown) => `${service} | ${String(tenant)} | ${String(operation)}`;

/**
 * The SERVER spans each request makes, by the fixture's code: the BFF's
 * operation span; the first backend's handler; and for a GetPatient that does
 * not fail, the second backend's handler (the first forwards `Say`). Only the
 * Node backend is slow for `p-slow`, before it answers or forwards.
 */
export function expectedRows(mix: MixRequest[]): Map<string, ExpectedRow> {
  const rows = new Map<string, ExpectedRow>();
  const add = (service: string, request: MixRequest, operation: string, error: boolean, slow: boolean) => {
    const key = rowKey(service, request.hospital, operation);
    const row = rows.get(key) ?? { calls: 0, errors: 0, fast: 0, slow: 0 };
    row.calls++;
    if (error) row.errors++;
    if (slow) row.slow++;
    else row.fast++;
    rows.set(key, row);
  };
  for (const request of mix) {
    const error = request.outcome === 'error' && request.operation === 'GetPatient';
    const slow = request.outcome === 'slow';
    const method = OPERATIONS[request.operation].grpcMethod;
    const [first, second] = request.route === 'via node' ? ['node-backend', 'kotlin-backend'] : ['kotlin-backend', 'node-backend'];
    add('bff', request, request.operation, error, slow);
    // The Node backend waits before it forwards, so a slow first hop is slow; the second hop is not.
    add(first, request, method, error, slow && first === 'node-backend');
    if (request.operation === 'GetPatient' && !error) add(second, request, method, false, slow && second === 'node-backend');
  }
  return rows;
}
