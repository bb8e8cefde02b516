// The preload, as a user runs it: `TCP_KEEPALIVE=... node --require tcp-keepalive/register app.js`
// (and --import, and NODE_OPTIONS) on an application that never mentions keepalive. Every TCP
// socket it opens or accepts, in the main thread and a worker, is read back from the kernel, and
// ss -tino sees the keepalive timer on each; its Unix socket is untouched. Uses the build in dist/
// (npm test builds first), as an installed package would.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as readline from 'node:readline';
import * as tls from 'node:tls';
import { PACKAGE_ROOT } from '../helpers/agent';
import { closeAll, listen, portOf, track } from '../helpers/sockets';
import { ssByLocalPort } from '../helpers/ss';
import { useTestCert } from '../helpers/tls-cert';

const APP = join(__dirname, 'fixtures', 'app.js');
const ENV_VALUE = 'idle=25s, interval=3s, count=4';
// interval and count as given; userTimeout from the data-in-flight policy: 25 + 3 x 4 s.
const EXPECTED = { enable: true, idle: 25000, interval: 3000, count: 4, userTimeout: 37000 };

interface Observed {
  name: string;
  localPort: number;
  remotePort: number;
  settings: Record<string, unknown>;
}

const testCert = useTestCert();
afterEach(closeAll);

beforeAll(() => {
  if (!existsSync(join(PACKAGE_ROOT, 'dist', 'register.js'))) throw new Error('dist/ is missing: run `npm run build` first');
});

/** Runs the app under the preload; resolves with what it observed while its sockets are still open. */
async function runApp(nodeArgs: string[], env: NodeJS.ProcessEnv, targets: object): Promise<{ seen: Observed[]; unix: { destroyed: boolean }; finish: () => Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, APP], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, ...env, APP_TARGETS: JSON.stringify(targets) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  const result = new Promise<{ seen: Observed[]; unix: { destroyed: boolean } }>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => reject(new Error(`app exited with ${code}: ${stderr}`)));
  });
  const observed = await result;
  return {
    ...observed,
    finish: async () => {
      child.stdin.write('done\n');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function targets(): Promise<{ targets: object; cleanup: () => void }> {
  const server = await listen();
  const tlsServer = await listen(tls.createServer({ key: testCert().key, cert: testCert().cert }));
  const dir = mkdtempSync(join(tmpdir(), 'tka-preload-'));
  const unixPath = join(dir, 'app.sock');
  const unixServer = track(net.createServer(() => undefined));
  unixServer.listen(unixPath);
  await once(unixServer, 'listening');
  return {
    targets: { port: portOf(server), tlsPort: portOf(tlsServer), unixPath, ca: testCert().cert },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe(`preload tcp-keepalive/register on Node ${process.version}`, () => {
  // Node runs --import preloads in the main thread only (20 to 26): workers need --require.
  it.each([
    ['--require', ['--require', 'tcp-keepalive/register'], {}, true],
    ['--import', ['--import', 'tcp-keepalive/register'], { APP_WORKER: '0' }, false],
    ['NODE_OPTIONS', [], { NODE_OPTIONS: '--require tcp-keepalive/register' }, true],
  ])('%s: every TCP socket of an unmodified app (and its worker with --require) holds TCP_KEEPALIVE', async (_how, args, env, worker) => {
    const { targets: where, cleanup } = await targets();
    try {
      const app = await runApp(args, { ...env, TCP_KEEPALIVE: ENV_VALUE }, where);
      try {
        expect(app.seen.map((entry) => entry.name)).toEqual([
          'net.connect', 'new Socket().connect', 'tls.connect', 'http.get', 'fetch', 'accepted', ...(worker ? ['worker'] : []),
        ]);
        for (const entry of app.seen) {
          expect({ name: entry.name, ...entry.settings }).toEqual({ name: entry.name, ...EXPECTED });
          const [ss] = ssByLocalPort(entry.localPort).filter((found) => found.peer.endsWith(`:${entry.remotePort}`));
          expect(ss?.timer?.name).toBe('keepalive');
          expect(ss!.timer!.expiresMs).toBeLessThanOrEqual(EXPECTED.idle);
        }
        expect(app.unix.destroyed).toBe(false);
      } finally {
        await app.finish();
      }
    } finally {
      cleanup();
    }
  });

  it.each([
    ['idle=30s,interval=5x', 'TCP_KEEPALIVE: "interval=5x": unknown unit "x"'],
    ['idle=30s,count=0', 'TCP_KEEPALIVE: "count=0": The value of "options.count" is out of range'],
    ['idle:30s', 'TCP_KEEPALIVE: "idle:30s": expected name=value'],
  ])('a malformed TCP_KEEPALIVE=%j stops the process before the app runs, naming the bad part', async (value, message) => {
    for (const flag of ['--require', '--import']) {
      const child = spawn(process.execPath, [flag, 'tcp-keepalive/register', APP], {
        cwd: PACKAGE_ROOT,
        env: { ...process.env, TCP_KEEPALIVE: value, APP_TARGETS: '{}' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = await once(child, 'exit');
      expect(code).toBe(9);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
    }
  });
});
