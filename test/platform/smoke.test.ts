// scripts/smoke.js is what every prebuild is judged by (wine, qemu, the workflow's runners); here
// it runs against the local build, so the script itself is known to pass on a correct addon.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('scripts/smoke.js', () => {
  it('passes every check through the public API of the built package', () => {
    const out = execFileSync(process.execPath, [join(root, 'scripts', 'smoke.js'), root], { encoding: 'utf8', timeout: 60_000 });
    expect(out).toMatch(/^13 passed, 0 failed$/m);
    expect(out).not.toMatch(/^not ok/m);
  });
});
