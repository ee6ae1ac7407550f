import type { TraceState } from '@opentelemetry/api';

// W3C Trace Context `tracestate`, as the current editor's draft and the
// official test harness define it. OpenTelemetry's TraceState drops invalid
// members one by one and rejects keys the grammar now allows (`foo@`); the
// spec says an invalid header is discarded whole. So the inbound path parses
// it here, all or nothing, and hands the SDK this TraceState instead.
const KEY = /^[0-9a-z][_0-9a-z\-*/@]{0,255}$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const DELIMITER = /[ \t]*,[ \t]*/;
/** A platform must propagate at most 32 list members. */
const TRACESTATE_MAX_MEMBERS = 32;

/** An immutable, ordered `tracestate` (most recently set first). */
class W3CTraceState implements TraceState {
  constructor(private readonly members: ReadonlyMap<string, string>) {}

  get(key: string): string | undefined {
    return this.members.get(key);
  }

  set(key: string, value: string): TraceState {
    const next = new Map([[key, value]]);
    for (const [k, v] of this.members) if (k !== key) next.set(k, v);
    return new W3CTraceState(next);
  }

  unset(key: string): TraceState {
    const next = new Map(this.members);
    next.delete(key);
    return new W3CTraceState(next);
  }

  serialize(): string {
    return Array.from(this.members, ([key, value]) => `${key}=${value}`).join(',');
  }
}

/**
 * Parses the `tracestate` header(s), all or nothing: `undefined` when absent,
 * empty, or invalid anywhere (a malformed member, a key over 256 characters,
 * more than 32 members). Several headers are one list. A duplicated key keeps
 * its first value.
 */
export function parseTraceState(header: string | string[] | undefined): TraceState | undefined {
  if (header === undefined) return undefined;
  const members = new Map<string, string>();
  for (const part of Array.isArray(header) ? header : [header]) {
    for (const member of part.trim().split(DELIMITER)) {
      if (member === '') continue;
      const eq = member.indexOf('=');
      if (eq <= 0) return undefined;
      const key = member.slice(0, eq);
      const value = member.slice(eq + 1);
      if (!KEY.test(key) || !VALUE.test(value)) return undefined;
      if (!members.has(key)) members.set(key, value);
      if (members.size > TRACESTATE_MAX_MEMBERS) return undefined;
    }
  }
  return members.size === 0 ? undefined : new W3CTraceState(members);
}
