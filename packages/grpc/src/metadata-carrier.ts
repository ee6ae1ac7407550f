import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';
import { neverThrow } from '@tracehop/core';

const BINARY_SUFFIX = '-bin';

/**
 * Reads grpc-js `Metadata`. Binary (`-bin`) values are handed to propagators
 * as base64 strings, so text propagators never see raw bytes.
 */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys(metadata) {
    return Object.keys(metadata.getMap());
  },
  get(metadata, key) {
    const values = metadata.get(key);
    if (values.length === 0) return undefined;
    return values.map((value) => (typeof value === 'string' ? value : value.toString('base64')));
  },
};

/**
 * Writes with `set`, never `add`: a duplicated `traceparent` reaches a Node
 * server comma-joined, and the W3C propagator rightly discards it. A `-bin`
 * key takes a base64 string and is sent as bytes. grpc-js throws on values it
 * cannot send (a propagator that wrote one): that one header is skipped, with
 * a `diag` warning, and the call goes on.
 */
export const metadataSetter: TextMapSetter<Metadata> = {
  set(metadata, key, value) {
    neverThrow(setHeader, undefined, SET_THREW, metadata, key, value);
  },
};

const SET_THREW = 'grpc-js refused a header value the propagator wrote; the call goes on without that header';

function setHeader(metadata: Metadata, key: string, value: string): void {
  if (key.endsWith(BINARY_SUFFIX)) metadata.set(key, Buffer.from(value, 'base64'));
  else metadata.set(key, value);
}
