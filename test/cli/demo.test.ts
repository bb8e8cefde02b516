// The README's demo, run as an unprivileged user: the kernel must detect the dead peer in time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isRoot } from '../helpers/privileges';

const bin = join(__dirname, '..', '..', 'bin', 'tcp-keepalive.js');

// CI may clone into a directory only root can enter; then the demo runs as root (still unshare -rn).
const asNobody = isRoot && spawnSync('su', ['nobody', '-s', '/bin/sh', '-c', `test -r "${bin}"`]).status === 0;

function runUnprivileged(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const command = asNobody
    ? spawnSync('su', ['nobody', '-s', '/bin/sh', '-c', `"${process.execPath}" "${bin}" ${args.join(' ')}`], { encoding: 'utf8', timeout: 30000 })
    : spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30000 });
  return { status: command.status, stdout: command.stdout, stderr: command.stderr };
}

const userNamespaces = spawnSync('unshare', ['-rn', 'true']).status === 0;

describe('tcp-keepalive demo', () => {
  (userNamespaces ? it : it.skip)('detects the dead peer with ETIMEDOUT at idle + count x interval, without root', () => {
    const { status, stdout, stderr } = runUnprivileged(['demo']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('kernel has: {"enable":true,"idle":2000,"interval":1000,"count":3,"userTimeout":0}');
    expect(stdout).toMatch(/probes=1 /);
    expect(stdout).toMatch(/probes=2 /);
    expect(stdout).toMatch(/early warning: 1 keepalive probe\(s\) unanswered/);
    expect(stdout).toMatch(/early warning: 3 keepalive probe\(s\) unanswered/);
    expect(stdout).toMatch(/cause of death: keepalive-timeout/);
    const match = /dead peer detected: ETIMEDOUT after (\d+\.\d+) s of silence \(configured bound 5\.00 s\)/.exec(stdout);
    expect(match).not.toBeNull();
    const seconds = Number(match![1]);
    expect(seconds).toBeGreaterThanOrEqual(4.9);
    expect(seconds).toBeLessThanOrEqual(5.6);
  });

  it('--help documents the commands; an unknown command fails with a message', () => {
    const help = runUnprivileged(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/demo/);
    const bad = runUnprivileged(['nonsense']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "nonsense"/);
  });
});
