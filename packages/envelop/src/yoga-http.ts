import { whenSettled } from './maybe-promise.js';

// What `httpAttributes` learns from Yoga's HTTP layer: the route (Yoga's
// GraphQL endpoint) and `http.response.status_code`. The status is known only once Yoga
// made the Response, after the operation's result arrived, so a SERVER span
// waiting for it stays open until then. Two hooks of Yoga's HTTP layer
// (@whatwg-node/server's createServerAdapter) say when:
// - `onResponse({ request, response })` hands over the status;
// - the `request` instrumentation wraps the whole handling, `onResponse`
//   included, and settles even when no `onResponse` runs (a handler that
//   threw): that releases every span still waiting, so none is left open.
// Plain envelop has neither hook: its spans never wait.

/** An operation span that takes the response status. */
export interface ResponseListener {
  respond(status: number): void;
  /** The request is over: nothing more to wait for. */
  releaseResponse(): void;
}

interface RequestLike {
  readonly request?: unknown;
}

class PendingResponse {
  readonly listeners: ResponseListener[] = [];
  status: number | undefined;
}

/** One plugin instance's view of Yoga: its endpoint, its requests in flight (keyed by Yoga's `Request` object). */
export class YogaHttp {
  private readonly pending = new WeakMap<object, PendingResponse>();
  /** `http.route`: the GraphQL endpoint Yoga serves (its `graphqlEndpoint`, `/graphql` by default). */
  route: string | undefined;

  /** Yoga's `onYogaInit` hook: Yoga hands itself over once, when it is created. */
  readonly onYogaInit = ({ yoga }: { yoga: { graphqlEndpoint?: unknown } }): void => {
    if (typeof yoga.graphqlEndpoint === 'string') this.route = yoga.graphqlEndpoint;
  };

  /** The `request` instrumentation (whatwg-node): runs the request, then releases its operations. */
  readonly instrument = (payload: { request: object }, wrapped: () => unknown): unknown => {
    const pending = new PendingResponse();
    this.pending.set(payload.request, pending);
    return whenSettled(wrapped, () => {
      this.pending.delete(payload.request);
      for (const listener of pending.listeners) listener.releaseResponse();
    });
  };

  /** Yoga's `onResponse` hook. */
  readonly onResponse = ({ request, response }: { request: object; response: { status: number } }): void => {
    const pending = this.pending.get(request);
    if (!pending) return;
    pending.status = response.status;
    for (const listener of pending.listeners) listener.respond(response.status);
  };

  /**
   * Makes `listener` wait for the response of the request this GraphQL
   * context belongs to; `false` (nothing to wait for) when no such request is
   * in flight: plain envelop, graphql-ws, or a request another plugin replaced.
   */
  register(graphqlContext: unknown, listener: ResponseListener): boolean {
    const request = (graphqlContext as RequestLike | null | undefined)?.request;
    const pending = typeof request === 'object' && request !== null ? this.pending.get(request) : undefined;
    if (!pending) return false;
    pending.listeners.push(listener);
    if (pending.status !== undefined) listener.respond(pending.status);
    return true;
  }
}
