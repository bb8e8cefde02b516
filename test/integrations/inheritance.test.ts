// Listener inheritance, observed with strace (independent of the addon): on Linux a keepAliveServer
// writes keepalive options once, on the listening socket, and accepted connections cost no
// setsockopt; with Node's keepAlive server option each accepted socket is written again after Node.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasStrace } from '../helpers/strace';

const ROOT = join(__dirname, '..', '..');
const CONNECTIONS = 12;
const EXPECTED = { enable: true, idle: 30000, interval: 3000, count: 4, userTimeout: 20000 };

interface Traced {
  accepted: unknown[];
  /** setsockopt calls per option name, e.g. { TCP_KEEPINTVL: 1 }. */
  writes: Record<string, number>;
}

function traced(mode: 'plain' | 'node-option'): Traced {
  const dir = mkdtempSync(join(tmpdir(), 'tcp-keepalive-strace-'));
  try {
    const log = join(dir, 'trace');
    const out = execFileSync(
      'strace',
      ['-f', '-qq', '-e', 'trace=setsockopt', '-o', log, process.execPath, '-r', join(ROOT, 'test/helpers/ts-register.js'),
        join(__dirname, 'fixtures/accept-syscalls.js'), mode, String(CONNECTIONS)],
      { cwd: ROOT, encoding: 'utf8', timeout: 30000 },
    );
    const writes: Record<string, number> = {};
    for (const match of readFileSync(log, 'utf8').matchAll(/setsockopt\(\d+, SOL_\w+, (\w+),.*\) = 0/g)) {
      writes[match[1]] = (writes[match[1]] ?? 0) + 1;
    }
    return { accepted: JSON.parse(out) as unknown[], writes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// CI installs strace (ci-steps.md) and runs this; elsewhere it is skipped only where strace is missing.
(hasStrace || process.env.CI ? describe : describe.skip)('keepAliveServer syscalls per accepted connection (strace)', () => {
  it('plain server: options written once on the listener, inherited by every accepted socket', () => {
    const { accepted, writes } = traced('plain');
    expect(accepted).toEqual(Array(CONNECTIONS).fill(EXPECTED));
    for (const option of ['SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT', 'TCP_USER_TIMEOUT']) {
      expect([option, writes[option]]).toEqual([option, 1]);
    }
  });

  it("server with Node's keepAlive option: each accepted socket is written after Node's own call", () => {
    const { accepted, writes } = traced('node-option');
    expect(accepted).toEqual(Array(CONNECTIONS).fill(EXPECTED));
    // 1 on the listener + per connection: Node's interval (1 s) then ours.
    expect(writes.TCP_KEEPINTVL).toBe(1 + 2 * CONNECTIONS);
  });
});
