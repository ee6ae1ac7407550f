import type { Span } from '@opentelemetry/api';
import { neverReject, neverThrow } from '@tracehop/core';
import { isFunction } from '@tracehop/core/internal';

// `onStart` / `onEnd`: the user's code on every call, so it runs the way all
// such code runs here (invariant 2): whatever it throws stays out of the call.

export const isRpcHook = isFunction('(span, call) => void');

export type RpcHook<Info> = (span: Span, call: Info) => void;

/**
 * Runs `hook(span, call)`. A throw is caught by `neverThrow` (one `diag`
 * warning, the call goes on). An async hook's rejection is caught too: left
 * alone it would be an unhandled rejection, which ends a Node process.
 */
export function runHook<Info>(hook: RpcHook<Info>, span: Span, call: Info, outcome: string): void {
  const returned: unknown = neverThrow(hook, undefined, outcome, span, call);
  if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
    void neverReject(() => returned as PromiseLike<unknown>, undefined, outcome);
  }
}

export const ON_START_THREW = 'the onStart hook threw; the call goes on';
export const ON_END_THREW = 'the onEnd hook threw; the call and its span end as they would without it';
