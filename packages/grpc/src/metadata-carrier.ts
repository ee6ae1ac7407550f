import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';

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
 * cannot send; that one header is skipped instead.
 */
export const metadataSetter: TextMapSetter<Metadata> = {
  set(metadata, key, value) {
    try {
      if (key.endsWith(BINARY_SUFFIX)) metadata.set(key, Buffer.from(value, 'base64'));
      else metadata.set(key, value);
    } catch {
      // An illegal header value: drop this one header, keep the call.
    }
  },
};
