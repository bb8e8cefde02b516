// registerOpenTelemetry: the model's metrics as OpenTelemetry instruments of the caller's Meter.
// Gauges are observed in one batch callback (one dump per collection); deaths, recoveries and
// detection times are recorded from the monitor's events. Needs only the Meter the caller passes
// (@opentelemetry/api is never loaded here).
import type * as net from 'node:net';
import { invalidArgType } from '../errors';
import { configuredOf } from '../explain';
import type { KeepAliveMonitor } from '../monitor';
import {
  DETECTION_BUCKETS, HELP, IDLE_BUCKETS, OTEL_NAMES, checkMonitor, codeLabel, detectionSeconds, follow, monitorReader,
  readMetricsOptions, type MetricsOptions,
} from './model';

type Attributes = Record<string, string | number>;
interface InstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}
/** An observable instrument of the Meter (opaque here). */
type Observable = object;
interface BatchResult {
  observe(observable: Observable, value: number, attributes?: Attributes): void;
}
type BatchCallback = (result: BatchResult) => void;

/** What registerOpenTelemetry uses of an @opentelemetry/api Meter. */
export interface OpenTelemetryMeter {
  createObservableGauge(name: string, options?: InstrumentOptions): Observable;
  createCounter(name: string, options?: InstrumentOptions): { add(value: number, attributes?: Attributes): void };
  createHistogram(name: string, options?: InstrumentOptions): { record(value: number, attributes?: Attributes): void };
  addBatchObservableCallback(callback: BatchCallback, observables: Observable[]): void;
  removeBatchObservableCallback(callback: BatchCallback, observables: Observable[]): void;
}

const TCP = { 'network.transport': 'tcp' } as const;

function checkMeter(meter: unknown): OpenTelemetryMeter {
  const candidate = meter as Partial<OpenTelemetryMeter> | null;
  const methods = ['createObservableGauge', 'createCounter', 'createHistogram', 'addBatchObservableCallback', 'removeBatchObservableCallback'] as const;
  if (typeof candidate !== 'object' || candidate === null || methods.some((name) => typeof candidate[name] !== 'function')) {
    throw invalidArgType('meter', 'an OpenTelemetry Meter (metrics.getMeter())', meter);
  }
  return candidate as OpenTelemetryMeter;
}

/** Records the idle of each watched socket once, when its settings are first known. */
function idleRecorder(monitor: KeepAliveMonitor, record: (seconds: number) => void): () => void {
  const recorded = new WeakSet<net.Socket>();
  return () => {
    for (const socket of monitor.sockets()) {
      if (recorded.has(socket)) continue;
      const settings = configuredOf(socket);
      if (!settings) continue; // not read yet: next collection
      recorded.add(socket);
      if (settings.enable) record(settings.idle / 1000);
    }
  };
}

/**
 * Creates the keepalive instruments on `meter` for `monitor`'s connections; returns a function
 * that stops observing and recording (OpenTelemetry has no way to delete a synchronous
 * instrument: the counters simply stop growing). Gauges are read with one inet_diag dump per
 * collection. Names are the dotted equivalents of the Prometheus names (tcp_keepalive.*), with
 * network.transport / network.type / network.connection.state / error.type attributes. The idle
 * histogram records each connection once, when its settings are first known.
 */
export function registerOpenTelemetry(meter: OpenTelemetryMeter, monitor: KeepAliveMonitor, options?: MetricsOptions): () => void {
  const target = checkMeter(meter);
  const watched = checkMonitor(monitor);
  const { everywhere, peerLabels } = readMetricsOptions(options);
  const read = monitorReader(watched, peerLabels);

  const connections = target.createObservableGauge(OTEL_NAMES.connections, { description: HELP.connections, unit: '{connection}' });
  const probing = target.createObservableGauge(OTEL_NAMES.probing, { description: HELP.probing, unit: '{connection}' });
  const stalled = target.createObservableGauge(OTEL_NAMES.stalled, { description: HELP.stalled, unit: '{connection}' });
  const deaths = target.createCounter(OTEL_NAMES.deaths, { description: HELP.deaths, unit: '{connection}' });
  const recoveries = target.createCounter(OTEL_NAMES.recoveries, { description: HELP.recoveries, unit: '{connection}' });
  const detection = target.createHistogram(OTEL_NAMES.detection, {
    description: HELP.detection, unit: 's', advice: { explicitBucketBoundaries: DETECTION_BUCKETS },
  });
  const idle = target.createHistogram(OTEL_NAMES.configuredIdle, {
    description: HELP.configuredIdle, unit: 's', advice: { explicitBucketBoundaries: IDLE_BUCKETS },
  });
  const recordIdle = idleRecorder(watched, (seconds) => idle.record(seconds, TCP));

  const observables = [connections, probing, stalled];
  const callback: BatchCallback = (result) => {
    const summary = read();
    for (const group of summary.connections) {
      const attributes: Attributes = {
        ...TCP,
        'network.type': group.family === 'IPv6' ? 'ipv6' : 'ipv4',
        'network.connection.state': group.state.toLowerCase(),
        'tcp_keepalive.timer': group.timer,
      };
      if (peerLabels && group.peer !== undefined) attributes['network.peer.address'] = group.peer;
      result.observe(connections, group.count, attributes);
    }
    result.observe(probing, summary.probing, TCP);
    result.observe(stalled, summary.stalled, TCP);
    recordIdle();
  };
  target.addBatchObservableCallback(callback, observables);
  const stop = follow(
    watched,
    {
      death(report) {
        deaths.add(1, { ...TCP, 'tcp_keepalive.cause': report.cause, 'error.type': codeLabel(report) });
        const seconds = detectionSeconds(report);
        if (seconds !== undefined) detection.record(seconds, { ...TCP, 'tcp_keepalive.cause': report.cause });
      },
      recovery() {
        recoveries.add(1, TCP);
      },
    },
    everywhere,
  );
  let registered = true;
  return () => {
    if (!registered) return;
    registered = false;
    stop();
    target.removeBatchObservableCallback(callback, observables);
  };
}
