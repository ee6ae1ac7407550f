// Runs the W3C test service with the OpenTelemetry SDK (so every outbound call
// gets a new parent-id) and prints `LISTENING <url>`.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { startW3cService } from './service.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const service = await startW3cService(new BasicTracerProvider(), Number(process.env.PORT ?? 0));
console.log(`LISTENING ${service.url}`);
process.on('SIGTERM', () => void service.stop().then(() => process.exit(0)));
