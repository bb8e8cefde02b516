// The metrics of `tcp-keepalive/metrics` and of the exporter: names (a contract: dashboards and
// alerts depend on them), help texts, buckets, and how one inet_diag dump becomes their values.
// No metrics library here: prometheus.ts, opentelemetry.ts and the exporter map this model.
import type * as net from 'node:net';
import { invalidArgType } from '../errors';
import { configuredOf, type DeathReport } from '../explain';
import { onEverywhereSocket } from '../everywhere';
import { KeepAliveMonitor, type EpisodePhase } from '../monitor';
import { snapshot, type ConnectionState } from '../snapshot';

/** Prometheus names. OpenTelemetry: the dotted names in OTEL_NAMES, which an OpenTelemetry
 *  Prometheus exporter turns back into these (unit 's' -> _seconds, counters -> _total). */
export const NAMES = {
  connections: 'tcp_keepalive_connections',
  probing: 'tcp_keepalive_probing_connections',
  stalled: 'tcp_keepalive_stalled_connections',
  deaths: 'tcp_keepalive_deaths_total',
  detection: 'tcp_keepalive_detection_seconds',
  recoveries: 'tcp_keepalive_recoveries_total',
  configuredIdle: 'tcp_keepalive_configured_idle_seconds',
} as const;

export const OTEL_NAMES = {
  connections: 'tcp_keepalive.connections',
  probing: 'tcp_keepalive.probing_connections',
  stalled: 'tcp_keepalive.stalled_connections',
  deaths: 'tcp_keepalive.deaths',
  detection: 'tcp_keepalive.detection',
  recoveries: 'tcp_keepalive.recoveries',
  configuredIdle: 'tcp_keepalive.configured_idle',
} as const;

export const HELP = {
  connections: 'Watched TCP connections by TCP state and pending kernel timer',
  probing: 'Watched connections with unanswered keepalive probes out now',
  stalled: 'Probing connections that turned into unacknowledged data (only TCP_USER_TIMEOUT or tcp_retries2 can end them)',
  deaths: 'Watched connections that died with an error, by cause and error code',
  detection: 'Time from the last segment received from the peer to the death, for keepalive-timeout and user-timeout deaths',
  recoveries: 'Probing or stalled connections whose peer answered again',
  configuredIdle: 'Keepalive idle (TCP_KEEPIDLE) the kernel holds, per watched connection with keepalive on',
} as const;

/** Seconds to hours: keepalive detection ranges from a few seconds to the 2 h 11 min default. */
export const DETECTION_BUCKETS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800];
/** 350 s: AWS NLB's idle timeout, the usual alert ("idle >= 350 s behind an NLB"). */
export const IDLE_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 350, 600, 900, 1800, 3600, 7200];

/** Causes whose detection time the detection histogram records. */
export const TIMED_CAUSES: ReadonlySet<string> = new Set(['keepalive-timeout', 'user-timeout']);

export interface MetricsOptions {
  /** Also watch every socket the process-wide policy (keepAliveEverywhere or the
   *  tcp-keepalive/register preload) configures from now on. Default false. */
  everywhere?: boolean;
  /** Add the peer's address (never its port) as a label of the connections gauge: one series
   *  per peer host, so only for a bounded set of peers. Default false. */
  peerLabels?: boolean;
}

/** What the metrics read of a connection's dump record. */
export type SampledState = Pick<ConnectionState, 'state' | 'timer' | 'probesOut' | 'family' | 'remoteAddress'>;

/** One connection of a dump, as the metrics see it. */
export interface ConnectionSample {
  state: SampledState;
  stalled: boolean;
  /** Keepalive idle the kernel holds in seconds; undefined when keepalive is off or unknown. */
  idleSeconds: number | undefined;
}

export interface Summary {
  /** Count per state, timer (and peer address with peerLabels). */
  connections: Array<{ state: string; timer: string; family: string; peer?: string; count: number }>;
  probing: number;
  stalled: number;
  idleSeconds: number[];
}

export function readMetricsOptions(options: unknown): Required<MetricsOptions> {
  if (options === undefined) return { everywhere: false, peerLabels: false };
  if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'of type object', options);
  const { everywhere = false, peerLabels = false } = options as Record<string, unknown>;
  if (typeof everywhere !== 'boolean') throw invalidArgType('options.everywhere', 'of type boolean', everywhere);
  if (typeof peerLabels !== 'boolean') throw invalidArgType('options.peerLabels', 'of type boolean', peerLabels);
  return { everywhere, peerLabels };
}

export function checkMonitor(monitor: unknown): KeepAliveMonitor {
  if (!(monitor instanceof KeepAliveMonitor)) throw invalidArgType('monitor', 'a KeepAliveMonitor (from monitor())', monitor);
  return monitor;
}

/** Probing that turned into unacknowledged data, seen in one dump: the retransmission timer owns
 *  the connection while the keepalive probes sent before are still unanswered (tcpi_probes). */
export function stalledInDump(state: ConnectionState): boolean {
  return state.timer === 'retransmit' && (state.tcpInfo?.probes ?? 0) > 0;
}

export function isProbing(state: SampledState): boolean {
  return state.timer === 'keepalive' && state.probesOut > 0;
}

/** Cumulative counts of `values` at or below each bound of `buckets` (ascending), then the total:
 *  a histogram's _bucket series filled in one pass. */
export function bucketCounts(values: readonly number[], buckets: readonly number[]): number[] {
  const counts = new Array<number>(buckets.length + 1).fill(0);
  for (const value of values) {
    let i = 0;
    while (i < buckets.length && value > buckets[i]) i++;
    counts[i]++;
  }
  for (let i = 1; i < counts.length; i++) counts[i] += counts[i - 1];
  return counts;
}

type Group = Summary['connections'][number];

/** Counts connections for the gauges and the idle histogram, one at a time, without allocating
 *  per connection (a scrape of 10,000 connections must cost little more than the dump). */
export class Tally {
  private readonly groups = new Map<string, Map<string, Group>>();
  private probing = 0;
  private stalled = 0;
  private readonly idleSeconds: number[] = [];

  constructor(private readonly peerLabels: boolean) {}

  add(state: SampledState, stalled: boolean, idleSeconds: number | undefined): void {
    let byRest = this.groups.get(state.state);
    if (!byRest) this.groups.set(state.state, (byRest = new Map()));
    const peer = this.peerLabels ? state.remoteAddress : undefined;
    const rest = peer === undefined ? (state.family === 'IPv6' ? `6${state.timer}` : state.timer) : `${state.family}\0${state.timer}\0${peer}`;
    const group = byRest.get(rest);
    if (group) group.count++;
    else byRest.set(rest, { state: state.state, timer: state.timer, family: state.family, peer, count: 1 });
    if (isProbing(state)) this.probing++;
    if (stalled) this.stalled++;
    if (idleSeconds !== undefined) this.idleSeconds.push(idleSeconds);
  }

  summary(): Summary {
    const connections: Group[] = [];
    for (const byRest of this.groups.values()) connections.push(...byRest.values());
    return { connections, probing: this.probing, stalled: this.stalled, idleSeconds: this.idleSeconds };
  }
}

/** Counts one dump's connections for the gauges and the idle histogram. */
export function summarize(samples: Iterable<ConnectionSample>, peerLabels: boolean): Summary {
  const tally = new Tally(peerLabels);
  for (const sample of samples) tally.add(sample.state, sample.stalled, sample.idleSeconds);
  return tally.summary();
}

/**
 * One snapshot() of the monitor's sockets (one dump per address family in use, the package's
 * fastest path), counted. snapshot() keeps the sockets' order and leaves out those without a
 * live OS socket, so each state is paired with the next socket whose ports it carries.
 */
function readMonitor(monitor: KeepAliveMonitor, peerLabels: boolean): Summary {
  const tally = new Tally(peerLabels);
  const sockets = monitor.sockets();
  if (sockets.length === 0) return tally.summary();
  const states = snapshot(sockets);
  const aligned = states.length === sockets.length; // the usual case: nothing left out
  let at = 0;
  for (let i = 0; i < states.length; i++) {
    const state = states[i];
    if (aligned) at = i;
    else while (at < sockets.length && !(sockets[at].localPort === state.localPort && sockets[at].remotePort === state.remotePort)) at++;
    const socket = at < sockets.length ? sockets[at++] : undefined; // undefined: cannot happen, but never throw in a scrape
    const phase: EpisodePhase | undefined = socket && monitor.phaseOf(socket);
    const settings = socket ? configuredOf(socket) : null;
    tally.add(state, phase === 'stalled' || stalledInDump(state), settings?.enable ? settings.idle / 1000 : undefined);
  }
  return tally.summary();
}

/**
 * The summary of the monitor's connections, read with one dump per collection: every instrument
 * collected in the same synchronous run (prom-client's registry.metrics(), an OpenTelemetry batch
 * callback) shares it; the next run dumps again.
 */
export function monitorReader(monitor: KeepAliveMonitor, peerLabels: boolean): () => Summary {
  let cached: Summary | null = null;
  return () => {
    if (cached) return cached;
    cached = readMonitor(monitor, peerLabels);
    queueMicrotask(() => {
      cached = null;
    });
    return cached;
  };
}

export interface MonitorCounters {
  death(report: DeathReport): void;
  recovery(): void;
}

/**
 * Follows the monitor's 'dead' and 'recovered' events (and, with `everywhere`, adds the policy's
 * sockets to the monitor). Returns the function that stops both.
 */
export function follow(monitor: KeepAliveMonitor, counters: MonitorCounters, everywhere: boolean): () => void {
  const onDead = (_socket: net.Socket, report: DeathReport): void => counters.death(report);
  const onRecovered = (): void => counters.recovery();
  monitor.on('dead', onDead);
  monitor.on('recovered', onRecovered);
  const stopEverywhere = everywhere
    ? onEverywhereSocket((socket) => {
        try {
          if (!socket.destroyed) monitor.add(socket);
        } catch {
          // The monitor was closed before unregistering: nothing to watch with.
        }
      })
    : undefined;
  return () => {
    monitor.removeListener('dead', onDead);
    monitor.removeListener('recovered', onRecovered);
    stopEverywhere?.();
  };
}

/** The label value of a death's error code ('none' for an error without a code). */
export function codeLabel(report: DeathReport): string {
  return report.code ?? 'none';
}

/** Seconds from the peer's last segment to the death, for the causes the histogram records. */
export function detectionSeconds(report: DeathReport): number | undefined {
  if (!TIMED_CAUSES.has(report.cause) || report.elapsedSinceLastReceive === undefined) return undefined;
  return report.elapsedSinceLastReceive / 1000;
}
