// sock_diag needs no privilege for a process's own sockets: run the reads as uid 65534, in the
// host's network namespace and in a user+network namespace of its own (unshare -rn). And what
// `watch --pid` does for uid 65534: another user's process (a clear refusal, exit 1), its own
// process in a namespace root made (refusal), in a namespace of its own (read from inside it).
// uid 65534 may not be able to enter the checkout (e.g. under /root), so the test stages a
// transpiled copy of lib/ and the fixture, with the built addon, in a world-readable temp dir.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';
import { describeAsRoot } from '../helpers/privileges';
import { Namespace, sweepStaleNamespaces } from '../helpers/netns';
import { WATCH_HELP } from '../../lib/cli/watch';
import { runFixture, startFixture, type FixtureEvent, type RunningFixture } from './fixtures/run';

const NOBODY = 65534;
const AS_NOBODY = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'];
const ROOT = join(__dirname, '..', '..');

function transpileTree(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (statSync(source).isDirectory()) {
      transpileTree(source, join(to, name));
    } else if (name.endsWith('.ts')) {
      const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      mkdirSync(to, { recursive: true });
      writeFileSync(join(to, name.replace(/\.ts$/, '.js')), outputText);
    }
  }
}

/** A copy runnable by any user: lib/ and the fixture as JS, the addon, node-gyp-build. */
function stage(): { dir: string; fixture: string } {
  const dir = mkdtempSync(join(tmpdir(), `tka5-${process.pid}-unpriv-`));
  transpileTree(join(ROOT, 'lib'), join(dir, 'lib'));
  const fixture = join(dir, 'test', 'diag', 'fixtures', 'own-sockets.js');
  transpileTree(join(__dirname, 'fixtures'), dirname(fixture));
  cpSync(join(ROOT, 'build', 'Release', 'tcp_keepalive.node'), join(dir, 'build', 'Release', 'tcp_keepalive.node'));
  const gypBuild = dirname(require.resolve('node-gyp-build/package.json'));
  cpSync(gypBuild, join(dir, 'node_modules', relative(join(gypBuild, '..'), gypBuild)), { recursive: true });
  chmodSync(dir, 0o755);
  return { dir, fixture };
}

function expectOwnView(result: FixtureEvent): void {
  expect(result.event).toBe('result');
  expect(result.expected).toHaveLength(6);
  expect(result.all).toEqual(result.expected); // exactly this process's connections
  expect(result.given).toEqual(result.givenOrder);
  expect(result.timer).toMatchObject({ timer: 'keepalive', probesOut: 0 });
  expect((result.timer as { expiresIn: number }).expiresIn).toBeGreaterThan(13000);
  expect(result.snapshotTimer).toMatchObject({ timer: 'keepalive', state: 'ESTABLISHED' });
}

describeAsRoot('unprivileged snapshot (uid 65534)', () => {
  let staged: { dir: string; fixture: string };
  beforeAll(() => {
    staged = stage();
  });
  afterAll(() => rmSync(staged.dir, { recursive: true, force: true }));

  it('works with a dropped uid in the host namespace', async () => {
    const { events, code, stderr } = await runFixture(staged.fixture, [], { uid: NOBODY, gid: NOBODY, cwd: '/tmp' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(events[0].uid).toBe(NOBODY);
    expectOwnView(events[0]);
  });

  it('works in an unprivileged user + network namespace (unshare -rn)', async () => {
    const prefix = [...AS_NOBODY, 'unshare', '-rn', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh'];
    const { events, code, stderr } = await runFixture(staged.fixture, [], { prefix, cwd: '/tmp' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(events[0].uid).toBe(0); // root only inside the user namespace
    expectOwnView(events[0]);
  });
  describe('watch --pid as uid 65534', () => {
    const holders: RunningFixture[] = [];
    let ns: Namespace | undefined;
    afterAll(async () => {
      await Promise.all(holders.map((holder) => holder.stop()));
      ns?.destroy();
    });

    const stagedFixture = (name: string): string => join(dirname(staged.fixture), name);
    async function hold(prefix: string[]): Promise<{ pid: number; server: number; clients: number[] }> {
      const holder = await startFixture(stagedFixture('holder.js'), [], { prefix, cwd: '/tmp' });
      holders.push(holder);
      return holder.first as unknown as { pid: number; server: number; clients: number[] };
    }
    const watchAsNobody = (args: string[]): ReturnType<typeof runFixture> =>
      runFixture(stagedFixture('watch-cli.js'), args, { uid: NOBODY, gid: NOBODY, cwd: '/tmp', timeoutMs: 15000 });

    it("another user's process: exit 1, saying why and what to do, as --help says", async () => {
      const { pid } = await hold([]); // root's, in this namespace
      const { code, stdout, stderr } = await watchAsNobody(['--pid', String(pid)]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain(`cannot list the connections of pid ${pid}: /proc/${pid}/fd may be read only by its user (uid 0) and root (EACCES)`);
      expect(stderr).toContain('Run watch as uid 0 or as root.');
      const help = WATCH_HELP.replace(/\s+/g, ' ');
      expect(help).toContain("for another user's process, run as root (else exit 1 with a message)");
      expect(help).toContain('it belongs to another user and you are not root');
    });

    it('its own process in a network namespace made by root: exit 1, entering needs root', async () => {
      sweepStaleNamespaces();
      ns = Namespace.create('nobody');
      const { pid } = await hold(['ip', 'netns', 'exec', ns.name, ...AS_NOBODY]);
      const { code, stdout, stderr } = await watchAsNobody(['--pid', String(pid), '--json']);
      expect(stdout).toBe('');
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`pid ${pid} is in another network namespace \\(net:\\[\\d+\\]\\).*entering it needs root`));
    });

    it('its own process in its own user+network namespace (unshare -rn): read from inside it', async () => {
      const { pid, server, clients } = await hold([...AS_NOBODY, 'unshare', '-rn', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh']);
      const { code, stdout, stderr } = await watchAsNobody(['--pid', String(pid), '--json']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
      const expected = clients.flatMap((port) => [`${server}>${port}`, `${port}>${server}`]).sort();
      expect(rows.map((r) => `${r.localPort}>${r.remotePort}`).sort()).toEqual(expected);
      for (const row of rows.filter((r) => r.localPort === server)) {
        expect(row).toMatchObject({ timer: 'keepalive', probesOut: 0, settings: { enable: true, idle: 5000, interval: 1000, count: 10 } });
      }
    });
  });
});
