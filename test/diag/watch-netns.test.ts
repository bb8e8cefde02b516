// `watch --pid` of a process in another network namespace: sock_diag sees only the namespace it
// runs in, so watch enters the process's namespace (under nsenter) to read its connections.
// Needs root (namespaces); the unprivileged cases are in unprivileged.test.ts.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describeAsRoot } from '../helpers/privileges';
import { Namespace, sweepStaleNamespaces } from '../helpers/netns';
import { FIXTURES, REGISTER, runFixture, startFixture, type RunningFixture } from './fixtures/run';

describeAsRoot('watch --pid of a process in another network namespace (root)', () => {
  let ns: Namespace;
  let holder: RunningFixture;
  let pid: number;
  let server: number;
  let clients: number[];

  beforeAll(async () => {
    sweepStaleNamespaces();
    ns = Namespace.create('watch');
    holder = await startFixture('holder.ts', [], { prefix: ['ip', 'netns', 'exec', ns.name] });
    ({ pid, server, clients } = holder.first as unknown as { pid: number; server: number; clients: number[] });
  });
  afterAll(async () => {
    await holder?.stop();
    ns?.destroy();
  });

  const watch = (args: string[]): ReturnType<typeof runFixture> => runFixture('watch-cli.ts', args, { timeoutMs: 15000 });

  it('--json lists its connections, with timers and settings, read inside its namespace', async () => {
    const { code, stdout, stderr } = await watch(['--pid', String(pid), '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
    const expected = clients.flatMap((port) => [`${server}>${port}`, `${port}>${server}`]).sort();
    expect(rows.map((r) => `${r.localPort}>${r.remotePort}`).sort()).toEqual(expected);
    for (const row of rows) {
      if (row.localPort === server) {
        // Node's setKeepAlive(true, 5000) in the holder: idle 5 s, interval 1 s, 10 probes.
        expect(row).toMatchObject({ state: 'ESTABLISHED', timer: 'keepalive', probesOut: 0, settings: { enable: true, idle: 5000, interval: 1000, count: 10 } });
      } else {
        // The namespace's own defaults (a new namespace starts at 7200/75/9).
        expect(row).toMatchObject({ state: 'ESTABLISHED', timer: 'none', settings: { enable: false, idle: 7200000, interval: 75000, count: 9 } });
      }
    }
  });

  it('plain lines, filtered by --port, exit 0', async () => {
    const { code, stdout } = await watch(['--pid', String(pid), '--port', String(clients[1])]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2); // both ends of that connection are the holder's
    expect(lines.find((line) => line.startsWith(`local=127.0.0.1:${server} `))).toMatch(/keepalive=on idle=5000 interval=1000 count=10 userTimeout=0 timer=keepalive/);
  });

  it('on a terminal: the refreshing table names the namespace, Ctrl-C (SIGINT) ends it with 0', async () => {
    const cli = join(FIXTURES, 'watch-cli.ts');
    // Two Node starts (watch, then its copy inside the namespace): give it time to draw.
    const command = `timeout --preserve-status -s INT 8 ${process.execPath} -r ${REGISTER} ${cli} --pid ${pid} --interval 200`;
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('script', ['-qec', command, '/dev/null'], { timeout: 20000 }, (error, out) => {
        resolve({ code: error ? Number((error as { code?: unknown }).code) : 0, stdout: out });
      });
    });
    expect(code).toBe(0);
    const frames = stdout.split('\x1b[H\x1b[2J').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const last = frames[frames.length - 2];
    expect(last).toMatch(new RegExp(`pid ${pid} in net:\\[\\d+\\] — 6 connection\\(s\\), 0 probing`));
    for (const port of clients) expect(last).toContain(`127.0.0.1:${port}`);
  });
});
