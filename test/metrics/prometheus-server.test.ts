// The README's metrics setup against a real Prometheus: an application in a network namespace
// (process-wide policy + monitor + registerPrometheus/registerOpenTelemetry) and the exporter
// (run outside the namespace, reading the application by pid) are scraped every second; the path
// to the peer is cut: two connections to it die by keepalive, a third stalls (the application
// wrote into it while it was probing). The values are read back through Prometheus's query API:
// deaths by cause and code, the detection histogram (within +0.5 s of idle + count x interval),
// the probing gauge while probes were out, the stalled and other gauges after.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as net from 'node:net';
import { join } from 'node:path';
import * as readline from 'node:readline';
import { describeAsRoot } from '../helpers/privileges';
import { withTopology, type Topology } from '../helpers/netns';
import { Prometheus, prometheusBinary } from '../helpers/prometheus';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'tcp-keepalive.js');
const AGENT = join(__dirname, 'fixtures', 'metrics-agent.js');
const POLICY = { idle: 2000, interval: 1000, count: 2, userTimeout: 0 }; // keepalive decides alone
const BOUND = (POLICY.idle + POLICY.count * POLICY.interval) / 1000;

/** The metrics agent inside namespace `ns`, serving /metrics on a loopback socket made here. */
class MetricsApp {
  readonly events: Array<Record<string, unknown>> = [];
  private readonly pending = new Map<number, (reply: { ok: boolean; result?: unknown; error?: { message: string } }) => void>();
  private nextId = 1;
  private stderr = '';

  private constructor(readonly child: ChildProcessWithoutNullStreams, readonly metricsPort: number) {
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line);
      if (typeof message.id === 'number') this.pending.get(message.id)?.(message);
      else this.events.push(message);
    });
  }

  static async start(ns: string): Promise<MetricsApp> {
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as net.AddressInfo;
    const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, AGENT], {
      stdio: ['pipe', 'pipe', 'pipe', fd],
      env: { ...process.env, TCPKA_POLICY: JSON.stringify(POLICY) },
    }) as unknown as ChildProcessWithoutNullStreams;
    listener.close(); // the child holds the listening socket now
    const app = new MetricsApp(child, port);
    const deadline = Date.now() + 10000;
    for (let i = 0; i < 500 && !app.events.some((e) => e.event === 'ready') && Date.now() < deadline && child.exitCode === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!app.events.some((e) => e.event === 'ready')) throw new Error(`metrics agent did not start: ${app.stderr}`);
    return app;
  }

  get pid(): number {
    return this.events.find((e) => e.event === 'ready')!.pid as number;
  }

  request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 10000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${cmd} timed out: ${this.stderr}`)), timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (reply.ok) resolve(reply.result as T);
        else reject(new Error(`${cmd}: ${reply.error?.message}`));
      });
      this.child.stdin.write(JSON.stringify({ ...args, id, cmd }) + '\n');
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** `tcp-keepalive exporter --pid PID --listen 127.0.0.1:0`; resolves with it and its port. */
async function startExporter(pid: number): Promise<{ child: ChildProcessWithoutNullStreams; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'exporter', '--pid', String(pid), '--listen', '127.0.0.1:0']);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 10000;
  let match: RegExpExecArray | null = null;
  for (let i = 0; i < 500 && !(match = /http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stdout)) && Date.now() < deadline && child.exitCode === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (!match) throw new Error(`exporter did not start: ${stderr}`);
  return { child, port: Number(match[1]), stderr: () => stderr };
}

async function stopProcess(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// CI installs prometheus (.ci/run); elsewhere the suite says why it is skipped.
const title = 'metrics in a real Prometheus (needs root: network namespaces)';
const suite = prometheusBinary || process.env.CI ? describeAsRoot : (name: string, body: () => void) => describe.skip(`${name} [skipped: prometheus is not installed]`, body);

suite(title, () => {
  it('shows deaths by keepalive with their cause and detection time, the probing before, a stalled connection', async () => {
    await withTopology({ router: false }, async (t: Topology) => {
      const peer = await t.agent(t.b);
      const { port } = await peer.request<{ port: number }>('listen', { host: t.b.address });
      const app = await MetricsApp.start(t.a.ns.name);
      let exporter: Awaited<ReturnType<typeof startExporter>> | undefined;
      let prometheus: Prometheus | undefined;
      try {
        exporter = await startExporter(app.pid);
        prometheus = await Prometheus.start({ inprocess: `127.0.0.1:${app.metricsPort}`, exporter: `127.0.0.1:${exporter.port}` });
        const p = prometheus;
        await app.request('loopback'); // stays healthy: 2 watched ends
        await app.request('connect', { host: t.b.address, port });
        await app.request('connect', { host: t.b.address, port });
        // A third connection to the peer gets data written once it is probing: it stalls, and a
        // 60 s user timeout keeps it stalled until the end of the test.
        const { sock } = await app.request<{ sock: number }>('connect', { host: t.b.address, port, userTimeout: 60000 });
        await app.request('stallOnProbing', { sock });
        expect(await app.request<{ watched: number }>('status')).toEqual({ watched: 5 });
        const established = 'sum(tcp_keepalive_connections{job="%s",state="ESTABLISHED"})';
        expect(await p.waitFor(established.replace('%s', 'inprocess'), (v) => v === 5, 10000)).toBe(5);
        expect(await p.waitFor(established.replace('%s', 'exporter'), (v) => v === 5, 10000)).toBe(5);
        expect(await p.targets()).toEqual({ inprocess: 'up', exporter: 'up' });

        t.cut('drop'); // the peer vanishes silently: keepalive must find out
        const deaths = 'sum(tcp_keepalive_deaths_total{job="inprocess"})';
        expect(await p.waitFor(deaths, (v) => v === 2, 20000)).toBe(2);
        expect(app.events.filter((e) => e.event === 'wrote' || e.event === 'stalled')).toEqual([
          { event: 'wrote', sock },
          { event: 'stalled', sock },
        ]);
        expect(app.events.filter((e) => e.event === 'dead')).toEqual([
          { event: 'dead', cause: 'keepalive-timeout', code: 'ETIMEDOUT' },
          { event: 'dead', cause: 'keepalive-timeout', code: 'ETIMEDOUT' },
        ]);
        const byCause = await p.query('tcp_keepalive_deaths_total{job="inprocess"}');
        expect(byCause.map((s) => [s.labels.cause, s.labels.code, s.value])).toEqual([['keepalive-timeout', 'ETIMEDOUT', 2]]);

        // Detection: from the peer's last segment to the death, within +0.5 s of the bound.
        const count = await p.value('tcp_keepalive_detection_seconds_count{job="inprocess"}');
        const sum = await p.value('tcp_keepalive_detection_seconds_sum{job="inprocess"}');
        expect(count).toBe(2);
        expect(sum! / count!).toBeGreaterThanOrEqual(BOUND);
        expect(sum! / count!).toBeLessThanOrEqual(BOUND + 0.5);
        expect(await p.value('tcp_keepalive_detection_seconds_bucket{job="inprocess",le="2"}')).toBe(0);
        expect(await p.value('tcp_keepalive_detection_seconds_bucket{job="inprocess",le="5"}')).toBe(2);

        // Probes were out for ~2 s before the deaths: seen by scrapes of both endpoints.
        for (const job of ['inprocess', 'exporter']) {
          expect(await p.value(`max_over_time(tcp_keepalive_probing_connections{job="${job}"}[5m])`)).toBeGreaterThanOrEqual(1);
          // What remains: the healthy loopback connection (2 ends) and the stalled one, which the
          // retransmission timer owns now (not probing any more).
          expect(await p.waitFor(established.replace('%s', job), (v) => v === 3, 10000)).toBe(3);
          expect(await p.value(`tcp_keepalive_connections{job="${job}",state="ESTABLISHED",timer="retransmit"}`)).toBe(1);
          expect(await p.value(`tcp_keepalive_probing_connections{job="${job}"}`)).toBe(0);
          expect(await p.waitFor(`tcp_keepalive_stalled_connections{job="${job}"}`, (v) => v === 1, 10000)).toBe(1);
          // The idle the kernel holds: 2 s for every connection of the policy.
          expect(await p.value(`tcp_keepalive_configured_idle_seconds_bucket{job="${job}",le="1"}`)).toBe(0);
          expect(await p.value(`tcp_keepalive_configured_idle_seconds_bucket{job="${job}",le="5"}`)).toBe(3);
          expect(await p.value(`tcp_keepalive_configured_idle_seconds_sum{job="${job}"}`)).toBe(6);
        }
        // The README's alert expressions: valid PromQL, and quiet now (no probing, idle 2 s).
        expect(await p.query('tcp_keepalive_probing_connections > 0')).toEqual([]);
        expect(await p.query('tcp_keepalive_configured_idle_seconds_count - ignoring(le) tcp_keepalive_configured_idle_seconds_bucket{le="300"} > 0')).toEqual([]);
        expect(await p.value('tcp_keepalive_exporter_process_up{job="exporter"}')).toBe(1);
        expect(await p.value('tcp_keepalive_exporter_settings_unreadable_connections{job="exporter"}')).toBe(0);
        const processLabels = (await p.query('tcp_keepalive_probing_connections{job="exporter"}'))[0].labels;
        expect(processLabels).toMatchObject({ pid: String(app.pid), process: 'node' });

        // The same deaths through OpenTelemetry (in-memory reader in the application).
        const points = await app.request<Array<{ name: string; attributes: Record<string, string>; value?: number; sum?: number; count?: number }>>('otel');
        const otelDeaths = points.filter((x) => x.name === 'tcp_keepalive.deaths');
        expect(otelDeaths.map((x) => [x.attributes['tcp_keepalive.cause'], x.attributes['error.type'], x.value])).toEqual([
          ['keepalive-timeout', 'ETIMEDOUT', 2],
        ]);
        const otelDetection = points.find((x) => x.name === 'tcp_keepalive.detection')!;
        expect(otelDetection.count).toBe(2);
        expect(otelDetection.sum! / 2).toBeGreaterThanOrEqual(BOUND);
        expect(otelDetection.sum! / 2).toBeLessThanOrEqual(BOUND + 0.5);
        expect(exporter.stderr()).toBe('');
      } finally {
        await prometheus?.stop();
        if (exporter) await stopProcess(exporter.child);
        await app.stop();
      }
    });
  }, 90000);
});
