// The syscalls of one setKeepAlive on Linux, counted by strace (independent of the addon): the
// identity check (fstat) and the five writes, and no rollback reads (the values were validated
// against the kernel's exact ranges, so no write after the first can be refused).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasStrace } from '../helpers/strace';

const ROOT = join(__dirname, '..', '..');
const CALLS = 50;

// CI installs strace; elsewhere this is skipped only where strace is missing.
(hasStrace || process.env.CI ? describe : describe.skip)('setKeepAlive syscalls on Linux (strace)', () => {
  it('5 options: fstat + 5 x setsockopt per call, no getsockopt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcp-keepalive-strace-'));
    try {
      const log = join(dir, 'trace');
      const out = execFileSync(
        'strace',
        ['-qq', '-e', 'trace=fstat,newfstatat,getsockopt,setsockopt,kill', '-o', log, process.execPath, '-r',
          join(ROOT, 'test/helpers/ts-register.js'), join(__dirname, 'fixtures/configure-syscalls.js'), String(CALLS)],
        { cwd: ROOT, encoding: 'utf8', timeout: 30000 },
      );
      expect(JSON.parse(out)).toEqual({ enable: true, idle: 61000, interval: 10000, count: 5, userTimeout: 30000 });
      const lines = readFileSync(log, 'utf8').split('\n');
      const marks = lines.flatMap((line, i) => (/kill\(\d+, SIGWINCH\)/.test(line) ? [i] : []));
      expect(marks).toHaveLength(2);
      const between = lines.slice(marks[0] + 1, marks[1]);
      const count = (pattern: RegExp): number => between.filter((line) => pattern.test(line)).length;
      expect(count(/^setsockopt\(/)).toBe(5 * CALLS);
      expect(count(/^getsockopt\(/)).toBe(0);
      expect(count(/^(fstat|newfstatat)\(/)).toBe(CALLS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
