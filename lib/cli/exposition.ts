// The Prometheus text exposition format (version 0.0.4) for the exporter, which cannot count on
// prom-client being installed: the model's gauges and idle histogram per process.
import {
  HELP, IDLE_BUCKETS, NAMES, bucketCounts, summarize, type Summary,
} from '../metrics/model';
import type { ProcessReading } from './exporter-source';

type Labels = Record<string, string>;

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escape(value)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

class Family {
  readonly lines: string[] = [];
  constructor(readonly name: string, help: string, type: 'gauge' | 'histogram') {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
  }

  sample(labels: Labels, value: number, suffix = ''): void {
    this.lines.push(`${this.name}${suffix}${labelText(labels)} ${Number.isFinite(value) ? value : value > 0 ? '+Inf' : '-Inf'}`);
  }

  histogram(labels: Labels, buckets: number[], values: number[]): void {
    bucketCounts(values, buckets).forEach((count, i) => {
      this.sample({ ...labels, le: i < buckets.length ? String(buckets[i]) : '+Inf' }, count, '_bucket');
    });
    this.sample(labels, values.reduce((sum, v) => sum + v, 0), '_sum');
    this.sample(labels, values.length, '_count');
  }
}

export const UP = 'tcp_keepalive_exporter_process_up';
export const UNREADABLE = 'tcp_keepalive_exporter_settings_unreadable_connections';

/** The /metrics page for one scrape of the processes. */
export function render(readings: ProcessReading[]): string {
  const up = new Family(UP, 'Whether the process could be read in this scrape (1) or not (0: gone, no rights, namespace not enterable)', 'gauge');
  const connections = new Family(NAMES.connections, HELP.connections, 'gauge');
  const probing = new Family(NAMES.probing, HELP.probing, 'gauge');
  const stalled = new Family(NAMES.stalled, HELP.stalled, 'gauge');
  const idle = new Family(NAMES.configuredIdle, HELP.configuredIdle, 'histogram');
  const unreadable = new Family(UNREADABLE, 'Connections whose keepalive settings could not be read (needs ptrace rights over the process)', 'gauge');
  for (const reading of readings) {
    const process: Labels = { pid: String(reading.pid), process: reading.name };
    up.sample(process, reading.error ? 0 : 1);
    if (reading.error) continue;
    const summary: Summary = summarize(reading.samples, false);
    for (const group of summary.connections) connections.sample({ ...process, state: group.state, timer: group.timer }, group.count);
    probing.sample(process, summary.probing);
    stalled.sample(process, summary.stalled);
    idle.histogram(process, IDLE_BUCKETS, summary.idleSeconds);
    unreadable.sample(process, reading.settingsUnreadable);
  }
  return [up, connections, probing, stalled, idle, unreadable].map((family) => family.lines.join('\n')).join('\n') + '\n';
}
