// The package as users load it: require and import by name, types shipped, files whitelisted.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const run = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

describe('module formats', () => {
  it('require("tcp-keepalive") exposes the API', () => {
    const out = run(['-e', "const m = require('tcp-keepalive'); console.log(Object.keys(m).sort().join(','))"]);
    expect(out.trim()).toBe('capabilities,getKeepAlive,getTcpInfo,setKeepAlive');
  });

  it('import from "tcp-keepalive" exposes the same functions', () => {
    const out = run([
      '--input-type=module',
      '-e',
      "import { setKeepAlive, getKeepAlive, getTcpInfo, capabilities } from 'tcp-keepalive'; import { createRequire } from 'node:module'; const cjs = createRequire(import.meta.url)('tcp-keepalive'); console.log([setKeepAlive, getKeepAlive, getTcpInfo, capabilities].every((f, i) => f === cjs[['setKeepAlive','getKeepAlive','getTcpInfo','capabilities'][i]]))",
    ]);
    expect(out.trim()).toBe('true');
  });

  it('ships types and only whitelisted files', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(existsSync(join(root, pkg.types))).toBe(true);
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('binding.gyp');
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('lib/') || f.startsWith('build/'))).toBe(false);
  });
});
