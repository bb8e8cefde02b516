// A real Prometheus server (Debian's `prometheus`) on loopback with a throwaway config and
// storage, scraping the given targets every second; values are read back through its HTTP query
// API. Always stopped and its directory removed, also when the test process exits early.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const prometheusBinary = ((): string | null => {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
})();

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free loopback port (closed again: Prometheus binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export class Prometheus {
  private stderr = '';

  private constructor(private readonly child: ChildProcess, readonly port: number, private readonly dir: string) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
  }

  /** Starts Prometheus scraping `targets` (job name -> host:port) every second; waits until ready. */
  static async start(targets: Record<string, string>, timeoutMs = 20000): Promise<Prometheus> {
    if (!prometheusBinary) throw new Error('prometheus is not installed (apt-get install prometheus)');
    const dir = mkdtempSync(join(tmpdir(), 'tcpka-prometheus-'));
    const jobs = Object.entries(targets).map(([job, target]) => `  - job_name: ${job}\n    static_configs:\n      - targets: ['${target}']`);
    const config = `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\nscrape_configs:\n${jobs.join('\n')}\n`;
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    const child = spawn(prometheusBinary, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    const prometheus = new Prometheus(child, port, dir);
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 400 && Date.now() < deadline; i++) {
      if (child.exitCode !== null) break;
      try {
        if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) return prometheus;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await prometheus.stop();
    throw new Error(`prometheus did not become ready within ${timeoutMs} ms: ${prometheus.stderr}`);
  }

  /** An instant query; the samples of the resulting vector. */
  async query(promql: string): Promise<Sample[]> {
    const response = await fetch(`http://127.0.0.1:${this.port}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success' || !body.data) throw new Error(`query ${promql} failed: ${body.error}`);
    if (body.data.resultType !== 'vector') throw new Error(`query ${promql} gave a ${body.data.resultType}`);
    return body.data.result.map((item) => ({ labels: item.metric, value: Number(item.value[1]) }));
  }

  /** The single value of `promql`, or undefined when the vector is empty. */
  async value(promql: string): Promise<number | undefined> {
    const samples = await this.query(promql);
    if (samples.length > 1) throw new Error(`query ${promql} gave ${samples.length} samples`);
    return samples[0]?.value;
  }

  /** Polls `promql` until `accept` takes its value (bounded by count and time); returns the last value. */
  async waitFor(promql: string, accept: (value: number | undefined) => boolean, timeoutMs: number): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    let value: number | undefined;
    for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
      value = await this.value(promql);
      if (accept(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return value;
  }

  /** Health of each scrape target, by job ('up' / 'down' with the last error). */
  async targets(): Promise<Record<string, string>> {
    const body = (await (await fetch(`http://127.0.0.1:${this.port}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }> };
    };
    return Object.fromEntries(body.data.activeTargets.map((t) => [t.labels.job, t.health === 'up' ? 'up' : `${t.health}: ${t.lastError}`]));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
