// Child-process entry of startSpanFloodProcess (span-flood-process.ts): runs one
// span flood with the options in argv[2] (JSON) and answers the parent's
// 'progress' and 'stop' messages with the counts.
import { startSpanFlood, type SpanFloodOptions } from './span-flood.js';

const flood = startSpanFlood(JSON.parse(process.argv[2] ?? '{}') as SpanFloodOptions);
process.on('message', (message) => {
  if (message === 'progress') process.send?.({ progress: flood.progress() });
  if (message === 'stop') void flood.stop().then((result) => process.send?.({ result }, () => process.exit(0)));
});
process.on('disconnect', () => process.exit(0));
