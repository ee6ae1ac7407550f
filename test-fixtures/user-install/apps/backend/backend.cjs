// The same gRPC backend as backend.mjs, as CommonJS: every tracehop package
// is loaded with require() (require(esm), Node >= 20.19).
'use strict';
const grpc = require('@grpc/grpc-js');
const { SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { createServerInterceptor } = require('@tracehop/grpc');
const { traceMixin } = require('@tracehop/pino');
const { TenantSpanProcessor } = require('@tracehop/tenant');
const { pino } = require('pino');
const harness = require('./harness.cjs');

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
