// `tcp-keepalive/metrics`: keepalive metrics of a monitor's connections for prom-client and
// OpenTelemetry. Neither library is loaded by `require('tcp-keepalive')`; prom-client is loaded on
// the first registerPrometheus() call, and OpenTelemetry needs only the Meter passed in.
export { registerPrometheus, type PrometheusRegistry } from './prometheus';
export { registerOpenTelemetry, type OpenTelemetryMeter } from './opentelemetry';
export {
  NAMES as METRIC_NAMES, OTEL_NAMES as OPENTELEMETRY_METRIC_NAMES, DETECTION_BUCKETS, IDLE_BUCKETS, type MetricsOptions,
} from './model';
