import { context, createContextKey, diag, ROOT_CONTEXT } from '@opentelemetry/api';

const PROBE = ROOT_CONTEXT.setValue(createContextKey('tracehop.context-manager-probe'), true);

let checked = false;

/**
 * Warns once per process when no context manager can carry context: with
 * none registered (or a `BasicTracerProvider` without a global context
 * manager), `context.with()` makes nothing active, so a gRPC call starts a new
 * trace, a handler sees none, and log lines lose their fields, in silence.
 * Called by the inbound and outbound paths when a hop runs (not when it is
 * created: a context manager is often registered after); after the first
 * call it costs one comparison. Not by the pino mixin: apps often log before
 * they register a context manager, and the warning would be wrong by then.
 */
export function checkContextManager(): void {
  if (checked) return;
  checked = true;
  if (context.with(PROBE, activeContext) === PROBE) return;
  diag.warn(
    'tracehop: no context manager carries context (context.with() leaves nothing active), so no trace reaches ' +
      'handlers, outgoing calls or log lines. Register one at start-up: ' +
      'context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()) from ' +
      '@opentelemetry/context-async-hooks, or let NodeTracerProvider.register() or the NodeSDK do it.',
  );
}

function activeContext() {
  return context.active();
}
