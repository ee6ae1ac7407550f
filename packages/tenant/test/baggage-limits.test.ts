// What tracehop sends stays within W3C baggage limits (64 members, 8192 bytes,
// whole members only), through core's injectOutbound, and the tenant survives.
import { propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { compileTrustPolicy, headersGetter, injectOutbound } from '@tracehop/core';
import { expect, test } from 'vitest';
import { getTenant, tenantFromAuth } from '../src/index.js';

// W3C Baggage, "Limits": a platform must propagate 64 members and 8192 bytes (https://www.w3.org/TR/baggage/#limits).
const W3C_MAX_MEMBERS = 64;
const W3C_MAX_BYTES = 8192;

const policy = compileTrustPolicy({ acceptBaggage: true }, { acceptBaggage: false });
const enrich = tenantFromAuth((principal: string) => principal);

/** Public edge → enrichment → outbound headers, as the BFF does them. */
function outboundBaggage(inboundBaggage: string, principal = 't_a'): string {
  const inbound = policy.continueTrace(ROOT_CONTEXT, { baggage: inboundBaggage }, headersGetter, undefined);
  const ctx = enrich(inbound.context, principal);
  const carrier: Record<string, string> = {};
  injectOutbound(ctx, carrier, { set: (c, k, v) => void (c[k] = v) });
  return carrier.baggage ?? '';
}

function members(header: string): string[] {
  return header === '' ? [] : header.split(',');
}

test('200 inbound members: at most 64 go out, tenant.id=t_a first among them', () => {
  const inbound = Array.from({ length: 200 }, (_, i) => `k${i}=v${i}`).join(',');
  const sent = members(outboundBaggage(inbound));
  expect(sent.length).toBeLessThanOrEqual(W3C_MAX_MEMBERS);
  expect(sent[0]).toBe('tenant.id=t_a');
  for (const member of sent) expect(member).toMatch(/^(tenant\.id=t_a|k\d+=v\d+)$/); // whole members only
});

test('9000 bytes inbound: at most 8192 go out, whole members only, tenant kept', () => {
  const inbound = Array.from({ length: 9 }, (_, i) => `big${i}=${String(i).repeat(995)}`).join(',');
  expect(inbound.length).toBeGreaterThan(9000);
  const header = outboundBaggage(inbound);
  expect(Buffer.byteLength(header)).toBeLessThanOrEqual(W3C_MAX_BYTES);
  const sent = members(header);
  expect(sent[0]).toBe('tenant.id=t_a');
  for (const member of sent.slice(1)) expect(member).toMatch(/^big(\d)=(\d)\2{994}$/);
});

test('a tenant entry the client hid among 200 members is gone; the authenticated one goes out', () => {
  const inbound = [...Array.from({ length: 100 }, (_, i) => `k${i}=v`), 'tenant.id=evil', ...Array.from({ length: 99 }, (_, i) => `j${i}=v`)].join(',');
  const header = outboundBaggage(inbound);
  expect(header).not.toContain('evil');
  expect(members(header).filter((member) => member.startsWith('tenant.id='))).toEqual(['tenant.id=t_a']);
});

test('malformed inbound baggage counts as absent and never throws', () => {
  for (const inbound of ['%ZZ', ',,,', '=', 'tenant.id=%ZZ', 'a'.repeat(10_000), '\u0000=\u0000']) {
    const ctx = policy.continueTrace(ROOT_CONTEXT, { baggage: inbound }, headersGetter, undefined).context;
    expect(getTenant(ctx)).toBeUndefined();
    expect(() => outboundBaggage(inbound)).not.toThrow();
  }
  expect(propagation.getBaggage(policy.continueTrace(ROOT_CONTEXT, { baggage: '%ZZ' }, headersGetter, undefined).context)).toBeUndefined();
});

test('when the tenant pushes a full inbound header over 8192 bytes, a whole client member goes, never the tenant', () => {
  const a = `a=${'1'.repeat(4088)}`;
  const b = `b=${'2'.repeat(4088)}`;
  const inbound = [a, b, `c=${'3'.repeat(900)}`].join(','); // over 9000 bytes; extraction keeps a and b (8181 bytes)
  expect(inbound.length).toBeGreaterThan(9000);
  const header = outboundBaggage(inbound);
  expect(members(header)).toEqual(['tenant.id=t_a', a]);
  expect(Buffer.byteLength(header)).toBeLessThanOrEqual(W3C_MAX_BYTES);
});
