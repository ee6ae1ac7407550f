// A loopback Cloud Monitoring: grpc-js serving google.monitoring.v3
// MetricService from the real proto (google-proto-files), recording the metric
// descriptors and time series the collector's googlecloud exporter writes.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** One time series as received, field names as in the proto (the fields the tests read). */
export interface MonitoringTimeSeries {
  metric: { type: string; labels?: Record<string, string> };
  resource?: { type: string; labels?: Record<string, string> };
  points: { value: { int64_value?: string; double_value?: number; distribution_value?: { count?: string } } }[];
}

export interface FakeCloudMonitoring {
  /** `127.0.0.1:<port>`, for the exporter's `metric.endpoint`. */
  readonly address: string;
  /** Every time series written so far, in order. */
  readonly timeSeries: MonitoringTimeSeries[];
  /** The `type` of every metric descriptor created. */
  readonly descriptors: string[];
  /** The `name` of every CreateTimeSeries request (`projects/<project>`). */
  readonly requests: string[];
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const protoRoot = dirname(require.resolve('google-proto-files/package.json'));

interface MetricServicePackage {
  google: { monitoring: { v3: { MetricService: grpc.ServiceClientConstructor } } };
}
type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

export async function startFakeCloudMonitoring(): Promise<FakeCloudMonitoring> {
  const definition = loadSync('google/monitoring/v3/metric_service.proto', { includeDirs: [protoRoot], keepCase: true, longs: String, enums: String, defaults: false });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as MetricServicePackage;
  const timeSeries: MonitoringTimeSeries[] = [];
  const descriptors: string[] = [];
  const requests: string[] = [];
  const createTimeSeries: Unary<{ name: string; time_series: MonitoringTimeSeries[] }, object> = (call, callback) => {
    requests.push(call.request.name);
    timeSeries.push(...call.request.time_series);
    callback(null, {});
  };
  const createMetricDescriptor: Unary<{ metric_descriptor: { type: string } }, object> = (call, callback) => {
    descriptors.push(call.request.metric_descriptor.type);
    callback(null, call.request.metric_descriptor);
  };
  const server = new grpc.Server();
  server.addService(loaded.google.monitoring.v3.MetricService.service, {
    CreateTimeSeries: createTimeSeries,
    CreateServiceTimeSeries: createTimeSeries,
    CreateMetricDescriptor: createMetricDescriptor,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    timeSeries,
    descriptors,
    requests,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
