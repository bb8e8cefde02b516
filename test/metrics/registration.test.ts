// registerPrometheus / registerOpenTelemetry in this process, with the real prom-client and the
// real OpenTelemetry SDK (in-memory reader), on loopback connections: names, values, one dump per
// collection, deaths counted from the monitor, the process-wide policy hook, unregistering.
import * as net from 'node:net';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import * as snapshotModule from '../../lib/snapshot';
import { keepAliveEverywhere, monitor, setKeepAlive, type KeepAliveMonitor } from '../../lib/index';
import { METRIC_NAMES, registerOpenTelemetry, registerPrometheus } from '../../lib/metrics/index';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let server: net.Server;
const open: net.Socket[] = [];
let watcher: KeepAliveMonitor;

async function pair(): Promise<{ client: net.Socket; accepted: net.Socket }> {
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  client.on('error', () => undefined);
  await once(client, 'connect');
  const [peer] = await accepted;
  open.push(client, peer);
  return { client, accepted: peer };
}

/** The value of one sample line of the exposition text (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

beforeEach(async () => {
  server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  watcher = monitor({ interval: 100 });
});

afterEach(async () => {
  watcher.close();
  for (const socket of open.splice(0)) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  jest.restoreAllMocks();
});

describe('registerPrometheus', () => {
  it('exports every metric by its contract name, with one dump per scrape', async () => {
    const registry = new Registry();
    const unregister = registerPrometheus(registry, watcher);
    const { client } = await pair();
    setKeepAlive(client, { idle: 400000, interval: 1000, count: 3 });
    watcher.add(client);
    const dumps = jest.spyOn(snapshotModule, 'snapshot');
    const text = await registry.metrics();
    expect(dumps).toHaveBeenCalledTimes(1); // one snapshot() (one dump per family) for all metrics
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(sample(text, 'tcp_keepalive_connections{state="ESTABLISHED",timer="keepalive"}')).toBe(1);
    expect(sample(text, 'tcp_keepalive_probing_connections')).toBe(0);
    expect(sample(text, 'tcp_keepalive_stalled_connections')).toBe(0);
    expect(sample(text, 'tcp_keepalive_configured_idle_seconds_bucket{le="350"}')).toBe(0);
    expect(sample(text, 'tcp_keepalive_configured_idle_seconds_bucket{le="600"}')).toBe(1);
    expect(sample(text, 'tcp_keepalive_configured_idle_seconds_sum')).toBe(400);
    await registry.metrics();
    expect(dumps).toHaveBeenCalledTimes(2);
    unregister();
    expect(await registry.metrics()).not.toContain('tcp_keepalive_');
    unregister(); // idempotent
  });

  it('counts deaths by cause and code from the monitor; only timeouts enter the detection histogram', async () => {
    const registry = new Registry();
    registerPrometheus(registry, watcher);
    const { client, accepted } = await pair();
    watcher.add(client);
    const dead = once(watcher, 'dead');
    accepted.resetAndDestroy();
    await dead;
    const text = await registry.metrics();
    expect(sample(text, 'tcp_keepalive_deaths_total{cause="reset",code="ECONNRESET"}')).toBe(1);
    expect(sample(text, 'tcp_keepalive_detection_seconds_count')).toBe(0);
    expect(sample(text, 'tcp_keepalive_connections{state="ESTABLISHED",timer="none"}')).toBeUndefined();
  });

  it('with everywhere: true, watches every connection the process-wide policy configures', async () => {
    const policy = keepAliveEverywhere({ idle: 30000, interval: 1000, count: 3 });
    const registry = new Registry();
    const unregister = registerPrometheus(registry, watcher, { everywhere: true });
    try {
      await pair();
      expect(watcher.size).toBe(2); // the client and the accepted socket
      const text = await registry.metrics();
      expect(sample(text, 'tcp_keepalive_connections{state="ESTABLISHED",timer="keepalive"}')).toBe(2);
      expect(sample(text, 'tcp_keepalive_configured_idle_seconds_sum')).toBe(60);
      unregister();
      await pair();
      expect(watcher.size).toBe(2); // no longer followed
    } finally {
      unregister();
      policy.close();
    }
  });

  it('refuses bad arguments and a second registration with coded errors', () => {
    const registry = new Registry();
    expect(() => registerPrometheus({} as never, watcher)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => registerPrometheus(registry, {} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => registerPrometheus(registry, watcher, { everywhere: 'yes' } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    registerPrometheus(registry, watcher);
    expect(() => registerPrometheus(registry, watcher)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });

  it('labels peers only when asked', async () => {
    const registry = new Registry();
    registerPrometheus(registry, watcher, { peerLabels: true });
    const { client } = await pair();
    watcher.add(client);
    const text = await registry.metrics();
    expect(sample(text, 'tcp_keepalive_connections{state="ESTABLISHED",timer="none",peer_address="127.0.0.1"}')).toBe(1);
  });
});

describe('registerOpenTelemetry', () => {
  it('observes the gauges in one batch per collection and records deaths; unregistering stops it', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const unregister = registerOpenTelemetry(provider.getMeter('test'), watcher);
    const { client, accepted } = await pair();
    setKeepAlive(client, { idle: 20000 });
    watcher.add(client);
    const dumps = jest.spyOn(snapshotModule, 'snapshot');
    const first = await reader.collect();
    expect(dumps).toHaveBeenCalledTimes(1);
    const metrics = first.resourceMetrics.scopeMetrics[0].metrics;
    const byName = new Map(metrics.map((m) => [m.descriptor.name, m]));
    const connections = byName.get('tcp_keepalive.connections')!;
    expect(connections.dataPoints).toEqual([
      expect.objectContaining({
        value: 1,
        attributes: {
          'network.transport': 'tcp', 'network.type': 'ipv4', 'network.connection.state': 'established', 'tcp_keepalive.timer': 'keepalive',
        },
      }),
    ]);
    expect(byName.get('tcp_keepalive.probing_connections')!.dataPoints[0].value).toBe(0);
    const idle = byName.get('tcp_keepalive.configured_idle')!;
    expect(idle.descriptor.unit).toBe('s');
    expect(idle.dataPoints[0].value).toMatchObject({ count: 1, sum: 20 });

    const dead = once(watcher, 'dead');
    accepted.resetAndDestroy();
    await dead;
    const second = await reader.collect();
    const deaths = second.resourceMetrics.scopeMetrics[0].metrics.find((m) => m.descriptor.name === 'tcp_keepalive.deaths')!;
    expect(deaths.dataPoints.map((p) => [p.attributes['tcp_keepalive.cause'], p.attributes['error.type'], p.value])).toEqual([
      ['reset', 'ECONNRESET', 1],
    ]);
    unregister();
    dumps.mockClear();
    await reader.collect(); // the SDK may repeat the last observed values; it no longer asks us
    expect(dumps).not.toHaveBeenCalled();
    await provider.shutdown();
  });

  it('refuses what is not a Meter', () => {
    expect(() => registerOpenTelemetry({} as never, watcher)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('registrations', () => {
  it('never keep the process alive', () => {
    const script = [
      "const { monitor, keepAliveEverywhere } = require('tcp-keepalive');",
      "const { registerPrometheus, registerOpenTelemetry } = require('tcp-keepalive/metrics');",
      "const { MeterProvider } = require('@opentelemetry/sdk-metrics');",
      'keepAliveEverywhere({ idle: 10000 });',
      'const watcher = monitor({ interval: 50 });',
      "registerPrometheus(new (require('prom-client').Registry)(), watcher, { everywhere: true });",
      "registerOpenTelemetry(new MeterProvider().getMeter('x'), watcher, { everywhere: true });",
      "process.on('exit', () => console.log('exited by itself'));",
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8', timeout: 10000 });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('exited by itself');
  });
});
