// The Node side of the Kotlin fixture: start the JVM server, run the JVM client,
// read the agent's spans and the fixture's Cloud Logging entries.
export { startKotlinServer } from './server.js';
export type { KotlinServer, KotlinServerOptions } from './server.js';
export { runKotlinClient } from './client.js';
export type { KotlinClientOptions, KotlinClientResult } from './client.js';
export type { JvmOptions } from './jvm-process.js';
export { jvmFixtureAvailable, assertJvmFixture, jarPath, agentPath } from './paths.js';
export { agentProperties, kotlinServiceName } from './jvm-flags.js';
export { SpanKindNumber, parseSpanLine, isSpanLine, parseLoggedSpanLine, isLoggedSpanLine } from './otlp.js';
export type { OtlpSpan } from './otlp.js';
export { parseLogLine, traceIdOf, spanIdOf, GCP_TRACE_KEY, GCP_SPAN_ID_KEY, GCP_TRACE_SAMPLED_KEY } from './logs.js';
export type { KotlinLogLine } from './logs.js';
export { cloudLoggingEntryProblems, LOG_SEVERITIES } from './cloud-logging-entry.js';
export { parseKotlinReply } from './observation.js';
export type { KotlinObservation, KotlinStep } from './observation.js';
