// The Node side of the Kotlin fixture: start the JVM server, run the JVM client,
// read the agent's spans and the fixture's log lines.
export { startKotlinServer } from './server.js';
export type { KotlinServer, KotlinServerOptions } from './server.js';
export { runKotlinClient } from './client.js';
export type { KotlinClientOptions, KotlinClientResult } from './client.js';
export type { JvmOptions } from './jvm-process.js';
export { jvmFixtureAvailable, assertJvmFixture, jarPath, agentPath } from './paths.js';
export { agentProperties, kotlinServiceName } from './jvm-flags.js';
export { SpanKindNumber, parseSpanLine, isSpanLine } from './otlp.js';
export type { OtlpSpan } from './otlp.js';
export { parseLogLine } from './logs.js';
export type { KotlinLogLine } from './logs.js';
export { parseKotlinReply } from './observation.js';
export type { KotlinObservation, KotlinStep } from './observation.js';
