// pnpm --filter @tracehop/fixture-collector run demo [-- --no-kotlin]
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { runCollectorDemo } from './demo-collector.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
await runCollectorDemo(process.argv.includes('--no-kotlin') ? { kotlin: false } : {});
