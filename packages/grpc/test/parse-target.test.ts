import { expect, test } from 'vitest';
import { parseTarget } from '../src/attributes.js';

test.each([
  ['dns:///api.internal:443', { address: 'api.internal', port: 443 }],
  ['dns://8.8.8.8/api.internal:443', { address: 'api.internal', port: 443 }],
  ['dns:api.internal:50051', { address: 'api.internal', port: 50051 }],
  ['api.internal:443', { address: 'api.internal', port: 443 }],
  ['api.internal', { address: 'api.internal' }],
  ['127.0.0.1:50051', { address: '127.0.0.1', port: 50051 }],
  ['ipv4:10.0.0.1:1,10.0.0.2:2', { address: '10.0.0.1', port: 1 }],
  ['ipv6:[::1]:50051', { address: '::1', port: 50051 }],
  ['[::1]:50051', { address: '::1', port: 50051 }],
  ['unix:/run/backend.sock', { address: 'unix:/run/backend.sock' }],
  ['', undefined],
  [undefined, undefined],
])('%j', (target, expected) => {
  expect(parseTarget(target)).toEqual(expected);
});
