// registerPrometheus: the model's metrics as prom-client metrics in the caller's Registry. Gauges
// and the idle histogram are computed at scrape time (one dump for all of them); deaths,
// recoveries and detection times are counted from the monitor's events as they happen.
import { invalidArgType, invalidArgValue, peerMissing } from '../errors';
import type { KeepAliveMonitor } from '../monitor';
import {
  DETECTION_BUCKETS, HELP, IDLE_BUCKETS, NAMES, bucketCounts, checkMonitor, codeLabel, detectionSeconds, follow, monitorReader,
  readMetricsOptions, type MetricsOptions,
} from './model';

/** What registerPrometheus uses of a prom-client Registry (prom-client >= 13). */
export interface PrometheusRegistry {
  registerMetric(metric: never): void;
  removeSingleMetric(name: string): void;
  getSingleMetric(name: string): unknown;
}

type PromClient = typeof import('prom-client');
type Metric = { name?: string } & object;

function loadPromClient(): PromClient {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('prom-client') as PromClient;
  } catch (error) {
    throw peerMissing('prom-client', 'registerPrometheus', error);
  }
}

function checkRegistry(registry: unknown): PrometheusRegistry {
  const candidate = registry as Partial<PrometheusRegistry> | null;
  if (
    typeof candidate !== 'object' || candidate === null || typeof candidate.registerMetric !== 'function' ||
    typeof candidate.removeSingleMetric !== 'function' || typeof candidate.getSingleMetric !== 'function'
  ) {
    throw invalidArgType('registry', 'a prom-client Registry', registry);
  }
  return candidate as PrometheusRegistry;
}

/**
 * Registers the keepalive metrics of `monitor`'s connections in a prom-client `registry` and
 * returns a function that removes them again (and stops following the monitor). Collection is
 * lazy: one inet_diag dump per scrape, none between scrapes; nothing here keeps the process
 * alive. With `{ everywhere: true }` every socket the process-wide policy configures from now on
 * is added to the monitor. Throws ERR_INVALID_ARG_VALUE if the registry already holds one of the
 * names, MODULE_NOT_FOUND without prom-client.
 */
export function registerPrometheus(registry: PrometheusRegistry, monitor: KeepAliveMonitor, options?: MetricsOptions): () => void {
  const target = checkRegistry(registry);
  const watched = checkMonitor(monitor);
  const { everywhere, peerLabels } = readMetricsOptions(options);
  for (const name of Object.values(NAMES)) {
    if (target.getSingleMetric(name) !== undefined) {
      throw invalidArgValue('registry', `already has a metric named ${name} (registerPrometheus called twice on one registry?)`);
    }
  }
  const client = loadPromClient();
  const read = monitorReader(watched, peerLabels);
  const registers: never[] = [];
  const connectionLabels = peerLabels ? ['state', 'timer', 'peer_address'] : ['state', 'timer'];

  const connections = new client.Gauge({
    name: NAMES.connections, help: HELP.connections, labelNames: connectionLabels, registers,
    collect() {
      this.reset();
      for (const group of read().connections) {
        const labels: Record<string, string> = { state: group.state, timer: group.timer };
        if (peerLabels) labels.peer_address = group.peer ?? '';
        this.set(labels, group.count);
      }
    },
  });
  const probing = new client.Gauge({
    name: NAMES.probing, help: HELP.probing, registers,
    collect() {
      this.set(read().probing);
    },
  });
  const stalled = new client.Gauge({
    name: NAMES.stalled, help: HELP.stalled, registers,
    collect() {
      this.set(read().stalled);
    },
  });
  // The idle histogram describes the connections of this scrape: filled in one pass (prom-client's
  // observe() costs microseconds per call, too much for 10,000 connections at every scrape).
  const idle = {
    name: NAMES.configuredIdle, help: HELP.configuredIdle, type: 'histogram', aggregator: 'sum',
    get: async () => {
      const values = read().idleSeconds;
      const counts = bucketCounts(values, IDLE_BUCKETS);
      const bucket = `${NAMES.configuredIdle}_bucket`;
      return {
        name: NAMES.configuredIdle, help: HELP.configuredIdle, type: 'histogram', aggregator: 'sum',
        values: [
          ...counts.map((value, i) => ({ metricName: bucket, labels: { le: i < IDLE_BUCKETS.length ? IDLE_BUCKETS[i] : '+Inf' }, value })),
          { metricName: `${NAMES.configuredIdle}_sum`, labels: {}, value: values.reduce((sum, v) => sum + v, 0) },
          { metricName: `${NAMES.configuredIdle}_count`, labels: {}, value: values.length },
        ],
      };
    },
    reset: () => undefined,
  };
  const deaths = new client.Counter({ name: NAMES.deaths, help: HELP.deaths, labelNames: ['cause', 'code'], registers });
  const detection = new client.Histogram({ name: NAMES.detection, help: HELP.detection, buckets: DETECTION_BUCKETS, registers });
  const recoveries = new client.Counter({ name: NAMES.recoveries, help: HELP.recoveries, registers });

  const metrics: Metric[] = [connections, probing, stalled, deaths, detection, recoveries, idle];
  for (const metric of metrics) target.registerMetric(metric as never);
  const stop = follow(
    watched,
    {
      death(report) {
        deaths.inc({ cause: report.cause, code: codeLabel(report) });
        const seconds = detectionSeconds(report);
        if (seconds !== undefined) detection.observe(seconds);
      },
      recovery() {
        recoveries.inc();
      },
    },
    everywhere,
  );
  let registered = true;
  return () => {
    if (!registered) return;
    registered = false;
    stop();
    for (const metric of metrics) {
      const name = metric.name as string;
      if (target.getSingleMetric(name) === metric) target.removeSingleMetric(name);
    }
  };
}
