// How the Telemetry API stores OTLP metric points in Cloud Monitoring: every
// point "as for Google Cloud Managed Service for Prometheus", under the
// monitored resource `prometheus_target` (https://docs.cloud.google.com/stackdriver/docs/reference/telemetry/v1.metrics,
// "Prometheus mapping"). The label sources below are that page's table, in
// priority order; the instance sources are those of Google's GMP exporter
// (GoogleCloudPlatform/opentelemetry-operations-go,
// exporter/collector/googlemanagedprometheus/monitoredresource.go), which the page
// says the API follows. Points are rejected when `location` (required) or
// `instance` ("Reject the point if empty") is empty, when the metric name does
// not match [a-zA-Z][a-zA-Z0-9_:./]* or a point attribute key does not match
// [a-zA-Z_][a-zA-Z0-9_.]* (https://docs.cloud.google.com/stackdriver/docs/otlp-metrics/overview,
// "Metric and label names").
// The metric type `prometheus.googleapis.com/<name>/<kind>` and the kinds
// (monotonic sum: counter, non-monotonic sum and gauge: gauge, histogram:
// histogram) follow the GMP exporter's naming.go; the exact type string was not
// checked against a live project.

/** A `prometheus_target` resource as Cloud Monitoring stores it. */
export interface PrometheusTarget {
  type: 'prometheus_target';
  labels: { project_id: string; location: string; cluster: string; namespace: string; job: string; instance: string };
}

const first = (attributes: Record<string, unknown>, keys: string[]): string => {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return '';
};

/** The monitored resource an OTLP resource maps to; `project_id` comes from `gcp.project_id`. */
export function prometheusTarget(resource: Record<string, unknown>): PrometheusTarget {
  const platform = resource['cloud.platform'];
  const clusterDefault = platform === 'gcp_compute_engine' ? '__gce__' : platform === 'gcp_cloud_run' ? '__run__' : '';
  const serviceNamespace = first(resource, ['service.namespace']);
  const serviceName = first(resource, ['service.name', 'faas.name']);
  const job = first(resource, ['job']) || (serviceNamespace && serviceName ? `${serviceNamespace}/${serviceName}` : serviceName);
  return {
    type: 'prometheus_target',
    labels: {
      project_id: first(resource, ['gcp.project_id']),
      location: first(resource, ['location', 'cloud.availability_zone', 'cloud.region']),
      cluster: first(resource, ['cluster', 'k8s.cluster.name']) || clusterDefault,
      namespace: first(resource, ['namespace', 'k8s.namespace.name', 'service.namespace']),
      job,
      instance: first(resource, ['instance', 'service.instance.id', 'faas.instance', 'k8s.pod.name', 'host.id']),
    },
  };
}

const METRIC_NAME = /^[a-zA-Z][a-zA-Z0-9_:./]*$/;
const LABEL_KEY = /^[a-zA-Z_][a-zA-Z0-9_.]*$/;

/** Why the API would reject a point of this metric on this resource, or undefined when it takes it. */
export function rejection(metricName: string, target: PrometheusTarget, pointAttributes: Record<string, unknown>): string | undefined {
  if (!METRIC_NAME.test(metricName)) return `metric name ${JSON.stringify(metricName)} does not match [a-zA-Z][a-zA-Z0-9_:./]*`;
  const badKey = Object.keys(pointAttributes).find((key) => !LABEL_KEY.test(key));
  if (badKey !== undefined) return `attribute key ${JSON.stringify(badKey)} does not match [a-zA-Z_][a-zA-Z0-9_.]*`;
  if (target.labels.location === '') return 'prometheus_target location is required (location, cloud.availability_zone or cloud.region)';
  if (target.labels.instance === '') return 'prometheus_target instance is empty (instance, service.instance.id, faas.instance, k8s.pod.name or host.id)';
  return undefined;
}

/** `prometheus.googleapis.com/<name>/<kind>` for an OTLP metric of this shape. */
export function metricType(name: string, shape: 'sum' | 'gauge' | 'histogram', monotonic: boolean): string {
  const kind = shape === 'histogram' ? 'histogram' : shape === 'sum' && monotonic ? 'counter' : 'gauge';
  return `prometheus.googleapis.com/${name}/${kind}`;
}
