import { propagation, type Baggage, type BaggageEntry, type Context } from '@opentelemetry/api';
import { keepEntries, withBaggage } from './baggage-entries.js';
import { isNonNegativeInteger, isOptions } from './named-checks.js';
import type { BaggageLimits } from './types.js';

/** W3C baggage: a platform must propagate 64 members / 8192 bytes; we never send more. */
export const W3C_BAGGAGE_LIMITS: Readonly<Required<BaggageLimits>> = Object.freeze({ maxMembers: 64, maxBytes: 8192 });

/** The `baggageLimits` option's check. */
export const isBaggageLimits = isOptions('an object { maxMembers?, maxBytes? }', {
  maxMembers: isNonNegativeInteger,
  maxBytes: isNonNegativeInteger,
});

/**
 * A hop's limits: `overrides` (already checked) over `defaults`, field by
 * field, so `{ maxMembers: 50 }` keeps the hop's default byte cap; never
 * above W3C's. Called at factory time.
 */
export function mergeBaggageLimits(defaults: Required<BaggageLimits>, overrides: BaggageLimits | undefined): Required<BaggageLimits> {
  return {
    maxMembers: Math.min(overrides?.maxMembers ?? defaults.maxMembers, W3C_BAGGAGE_LIMITS.maxMembers),
    maxBytes: Math.min(overrides?.maxBytes ?? defaults.maxBytes, W3C_BAGGAGE_LIMITS.maxBytes),
  };
}

/**
 * Returns `context` with its baggage trimmed to what may be sent: members that
 * cannot be written as valid W3C baggage are dropped (see {@link isSendable}),
 * then whole members beyond `limits` (first members win; see
 * {@link mergeBaggageLimits}). The common case, baggage already valid and
 * within limits, allocates nothing and returns the same context.
 */
export function limitBaggage(context: Context, limits: Readonly<Required<BaggageLimits>> = W3C_BAGGAGE_LIMITS): Context {
  const baggage = propagation.getBaggage(context);
  if (!baggage) return context;
  const { maxMembers, maxBytes } = limits;
  // Baggage is immutable and one request's baggage goes out on each of its
  // calls: check it once per instance and limits, not once per call.
  const memo = limitedBaggage.get(baggage);
  if (memo && memo.maxMembers === maxMembers && memo.maxBytes === maxBytes) return withBaggage(context, baggage, memo.result);
  const result = limit(baggage, maxMembers, maxBytes);
  limitedBaggage.set(baggage, { maxMembers, maxBytes, result });
  return withBaggage(context, baggage, result);
}

interface LimitMemo {
  maxMembers: number;
  maxBytes: number;
  /** The baggage to send: the same instance when nothing was dropped, none when nothing is left. */
  result: Baggage | undefined;
}
const limitedBaggage = new WeakMap<Baggage, LimitMemo>();

function limit(baggage: Baggage, maxMembers: number, maxBytes: number): Baggage | undefined {
  let keptCount = 0;
  let bytes = 0;
  return keepEntries(baggage, (key, entry) => {
    if (keptCount === maxMembers || !isSendable(key, entry)) return false;
    // Serialized exactly as W3CBaggagePropagator writes it, plus a comma separator.
    const size = memberSize(key, entry) + (keptCount === 0 ? 0 : 1);
    if (bytes + size > maxBytes) return false; // skip the whole member; a smaller later one may fit
    keptCount++;
    bytes += size;
    return true;
  });
}

// RFC 7230 token: what a baggage key must be once percent-encoded.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A property: a token, optionally `= value` of W3C baggage-octets, with optional whitespace.
const PROPERTY = /^[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)?[ \t]*$/;
// A `%` that does not start a percent-escape: W3C-valid, but OpenTelemetry Java
// percent-decodes properties and drops the whole member, with a WARN and a stack trace per call.
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/**
 * Whether a member can go out as valid W3C baggage. The W3C propagator
 * percent-encodes keys with encodeURIComponent, which leaves `(` and `)` (not
 * token characters) alone, and writes properties verbatim: a property with a
 * tab or a non-ASCII byte makes grpc-js refuse the whole header, taking every
 * other member (the tenant) with it; one with a broken percent-escape makes a
 * Java receiver log a stack trace per call. One bad member must only cost itself.
 */
function isSendable(key: string, entry: BaggageEntry): boolean {
  if (!TOKEN.test(encodeURIComponent(key))) return false;
  if (entry.metadata === undefined) return true;
  const properties = entry.metadata.toString();
  return properties === '' || properties.split(';').every((property) => PROPERTY.test(property) && !BAD_ESCAPE.test(property));
}

function memberSize(key: string, entry: BaggageEntry): number {
  let size = encodeURIComponent(key).length + 1 + encodeURIComponent(entry.value).length;
  if (entry.metadata !== undefined) size += 1 + entry.metadata.toString().length;
  return size;
}
