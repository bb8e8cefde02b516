// The `watch` CLI: flags, non-TTY output for this and another process, and the live TTY view
// (through `script`, which gives the command a pseudo-terminal).
import * as net from 'node:net';
import { once } from 'node:events';
import { execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { runWatch, WATCH_HELP } from '../../lib/cli/watch';
import { setKeepAlive } from '../../lib/index';
import { closeAll, connectedPair, track } from '../helpers/sockets';
import { startPeerServer } from '../helpers/many-connections';
import { FIXTURES, REGISTER } from './fixtures/run';

const CLI = join(FIXTURES, 'watch-cli.ts');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', REGISTER, CLI, ...args], { timeout: 15000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code) : 0, stdout, stderr });
    });
  });
}

/** Runs runWatch in this process, capturing what it writes to stdout. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => chunks.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    const code = await runWatch(args);
    return { code, stdout: chunks.join('') };
  } finally {
    process.stdout.write = write;
  }
}

afterEach(closeAll);

describe('watch CLI', () => {
  let peer: ChildProcess;
  let peerPort: number;
  const clients: net.Socket[] = [];

  beforeAll(async () => {
    ({ peer, port: peerPort } = await startPeerServer({ ...process.env, PEER_KEEPALIVE_MS: '5000' }));
    for (let i = 0; i < 3; i++) {
      const client = net.connect(peerPort, '127.0.0.1');
      await once(client, 'connect');
      clients.push(client);
    }
    await new Promise((r) => setTimeout(r, 100)); // the peer has accepted and configured them
  });
  afterAll(() => {
    for (const client of clients) client.destroy();
    peer.kill();
  });

  it('--help documents every option and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(WATCH_HELP);
    for (const flag of ['--pid', '--port', '--interval', '--once', '--json', '--help']) expect(stdout).toContain(flag);
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['--port', '0'], '--port must be between 1 and 65535'],
    [['--port'], '--port needs an integer'],
    [['--interval', 'fast'], "--interval needs an integer, got 'fast'"],
    [['--interval', '10'], '--interval must be between 100'],
    [['--pid', '-5'], "--pid needs an integer, got '-5'"],
    [['--json=yes'], '--json takes no value'],
    [['--port', '1', '--port=2'], '--port given twice'],
  ])('rejects %j with a clear message and exit code 2', async (args, message) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('--help');
  });

  it('exits 1 with a message for a process that does not exist', async () => {
    const { code, stderr } = await cli(['--pid', '4194303']);
    expect(code).toBe(1);
    expect(stderr).toContain('no process with pid 4194303');
  });

  it("--json for another process: its connections, settings read back through its descriptors", async () => {
    const { code, stdout } = await cli(['--pid', String(peer.pid), '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
    const expected = clients.map((c) => `${c.remotePort}>${c.localPort}`).sort();
    expect(rows.map((r) => `${r.localPort}>${r.remotePort}`).sort()).toEqual(expected);
    for (const row of rows) {
      // Node's setKeepAlive(true, 5000) in the peer: idle 5 s, interval 1 s, 10 probes (libuv).
      expect(row).toMatchObject({ state: 'ESTABLISHED', timer: 'keepalive', probesOut: 0, settings: { enable: true, idle: 5000, interval: 1000, count: 10, userTimeout: 0 } });
      expect(row.expiresIn).toBeLessThanOrEqual(5000);
    }
  });

  it('plain lines when stdout is not a terminal, filtered by --port', async () => {
    const { code, stdout } = await cli(['--pid', String(peer.pid), '--port', String(clients[1].localPort)]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`remote=127.0.0.1:${clients[1].localPort}`);
    expect(lines[0]).toMatch(/keepalive=on idle=5000 interval=1000 count=10 userTimeout=0 timer=keepalive expiresIn=\d+ probesOut=0/);
    const none = await cli(['--pid', String(peer.pid), '--port', '1']);
    expect(none).toMatchObject({ code: 0, stdout: '' });
  });

  it('--pid self lists this process with the settings it set', async () => {
    const { client, accepted } = await connectedPair();
    setKeepAlive(client, { idle: 12000, interval: 3000, count: 4, userTimeout: 20000 });
    const { code, stdout } = await inProcess(['--json', '--port', String(client.localPort)]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(2); // both ends are ours
    const mine = rows.find((r) => r.localPort === client.localPort);
    expect(mine).toMatchObject({ timer: 'keepalive', settings: { enable: true, idle: 12000, interval: 3000, count: 4, userTimeout: 20000 } });
    expect(rows.find((r) => r.localPort === accepted.localPort)).toMatchObject({ timer: 'none', settings: { enable: false } });
    track(client);
  });

  it('on a terminal: a refreshing table until SIGINT, then exit 0', async () => {
    // Under ASan (npm run test:asan) node starts several times slower: SIGINT must come after the
    // CLI is up, or it ends with 130 before its handler exists.
    const seconds = (process.env.LD_PRELOAD ?? '').includes('asan') ? 8 : 3;
    const command = `timeout --preserve-status -s INT ${seconds} ${process.execPath} -r ${REGISTER} ${CLI} --pid ${peer.pid} --interval 200`;
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('script', ['-qec', command, '/dev/null'], { timeout: 15000 }, (error, out) => {
        resolve({ code: error ? Number((error as { code?: unknown }).code) : 0, stdout: out });
      });
    });
    expect(code).toBe(0);
    const frames = stdout.split('\x1b[H\x1b[2J').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2); // redrawn at least once
    const last = frames[frames.length - 2];
    expect(last).toContain(`pid ${peer.pid}`);
    expect(last).toMatch(/LOCAL\s+REMOTE\s+STATE\s+KEEPALIVE\s+IDLE\/INTVL\/CNT/);
    for (const client of clients) expect(last).toContain(`127.0.0.1:${client.localPort}`);
    expect(last).toMatch(/ESTABLISHED\s+on\s+5\.0s\/1\.0s\/10\s+default\s+keepalive/);
  });
});
