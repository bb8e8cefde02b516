// sock_diag needs no privilege for a process's own sockets: run the reads as uid 65534, in the
// host's network namespace and in a user+network namespace of its own (unshare -rn).
// uid 65534 may not be able to enter the checkout (e.g. under /root), so the test stages a
// transpiled copy of lib/ and the fixture, with the built addon, in a world-readable temp dir.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';
import { describeAsRoot } from '../helpers/privileges';
import { runFixture, type FixtureEvent } from './fixtures/run';

const NOBODY = 65534;
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
    const prefix = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', 'unshare', '-rn', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh'];
    const { events, code, stderr } = await runFixture(staged.fixture, [], { prefix, cwd: '/tmp' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(events[0].uid).toBe(0); // root only inside the user namespace
    expectOwnView(events[0]);
  });
});
