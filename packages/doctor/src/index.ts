// `@tracehop/doctor`: the `tracehop doctor` command and the same as an API.
// The receiver and trace printer for tests and demos are in `./testing`.
export { runDoctor } from './doctor.js';
export type { DoctorOptions } from './doctor.js';
export { main } from './cli.js';
export type { CliIo } from './cli.js';
export { ConnectionError } from './probe.js';
export { renderTextReport } from './report-text.js';
export { renderHtmlReport } from './report-html.js';
export type { Break, BreakKind, ClockSkew, Hop, ProbeResult, ProbeSent, Report, SpanKindName, TreeSpan, WaitSummary } from './types.js';
export type { CollectorCounts, CollectorReport, ExporterCounts, TailSamplingCounts } from './collector-types.js';
