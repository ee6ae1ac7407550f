// The caller every workload serves: the trace a browser or an upstream
// service sends, with the tenant in its baggage. Defined once, so "stayed in
// the caller's trace" is checked against the same ID everywhere.
'use strict';

const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const CALLER_TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;
const CALLER_BAGGAGE = 'tenant.id=t_hospital_7';

/** The caller's remote span context with the tenant in baggage, as an inbound hop would have extracted it. */
function callerContext(api) {
  const remote = api.trace.setSpanContext(api.ROOT_CONTEXT, {
    traceId: CALLER_TRACE_ID,
    spanId: CALLER_SPAN_ID,
    traceFlags: api.TraceFlags.SAMPLED,
    isRemote: true,
  });
  return api.propagation.setBaggage(remote, api.propagation.createBaggage({ 'tenant.id': { value: 't_hospital_7' } }));
}

module.exports = { CALLER_TRACE_ID, CALLER_SPAN_ID, CALLER_TRACEPARENT, CALLER_BAGGAGE, callerContext };
