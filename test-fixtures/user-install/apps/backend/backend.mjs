// A gRPC backend as a user writes it with the published packages, as ESM.
import * as grpc from '@grpc/grpc-js';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createServerInterceptor } from '@tracehop/grpc';
import { traceMixin } from '@tracehop/pino';
import { TenantSpanProcessor } from '@tracehop/tenant';
import { pino } from 'pino';
import harness from './harness.cjs';

new NodeTracerProvider({
  spanProcessors: [new TenantSpanProcessor(), new SimpleSpanProcessor(new harness.JsonLinesSpanExporter())],
}).register();
const logger = pino({ base: { service: 'backend' }, mixin: traceMixin({ baggageKeys: ['tenant.id'] }) });

const server = new grpc.Server({ interceptors: [createServerInterceptor()] });
server.addService(harness.patientsService, {
  getPatient(call, callback) {
    logger.info({ patientId: call.request.id }, 'loading patient record');
    callback(null, { id: call.request.id, ward: 'cardiology' });
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  harness.announce({ address: `127.0.0.1:${port}` });
});
