// The package as users load it: require and import by name, types shipped, files whitelisted.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const run = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

describe('module formats', () => {
  it('require("tcp-keepalive") exposes the API', () => {
    const out = run(['-e', "const m = require('tcp-keepalive'); console.log(Object.keys(m).join(','))"]);
    expect(out.trim().split(',')).toEqual(expect.arrayContaining(['capabilities', 'getKeepAlive', 'getTcpInfo', 'setKeepAlive']));
  });

  it('import from "tcp-keepalive" exposes the same functions', () => {
    const out = run([
      '--input-type=module',
      '-e',
      "import * as esm from 'tcp-keepalive'; import { createRequire } from 'node:module'; const cjs = createRequire(import.meta.url)('tcp-keepalive'); const names = Object.keys(cjs); console.log(names.length >= 4 && names.every((n) => esm[n] === cjs[n]))",
    ]);
    expect(out.trim()).toBe('true');
  });

  it('require("tcp-keepalive") loads neither prom-client nor OpenTelemetry; tcp-keepalive/metrics loads prom-client on first use', () => {
    const loaded = (): string => "Object.keys(require.cache).filter((f) => /node_modules[\\/](prom-client|@opentelemetry)[\\/]/.test(f)).length";
    const script = [
      "require('tcp-keepalive');",
      `const afterMain = ${loaded()};`,
      "const metrics = require('tcp-keepalive/metrics');",
      `const afterSubpath = ${loaded()};`,
      "const keepalive = require('tcp-keepalive');",
      "const registry = new (require('prom-client').Registry)();",
      'metrics.registerPrometheus(registry, keepalive.monitor())();',
      `const afterRegister = ${loaded()};`,
      'console.log(JSON.stringify({ afterMain, afterSubpath, afterRegister, names: Object.keys(metrics).sort() }));',
      'process.exit(0);',
    ].join('\n');
    const out = JSON.parse(run(['-e', script]));
    expect(out.afterMain).toBe(0);
    expect(out.afterSubpath).toBe(0);
    expect(out.afterRegister).toBeGreaterThan(0);
    expect(out.names).toEqual(expect.arrayContaining(['registerOpenTelemetry', 'registerPrometheus', 'METRIC_NAMES']));
  });

  it('import from "tcp-keepalive/metrics" exposes the same functions as require', () => {
    const out = run([
      '--input-type=module',
      '-e',
      "import * as esm from 'tcp-keepalive/metrics'; import { createRequire } from 'node:module'; const cjs = createRequire(import.meta.url)('tcp-keepalive/metrics'); console.log(esm.registerPrometheus === cjs.registerPrometheus && esm.registerOpenTelemetry === cjs.registerOpenTelemetry)",
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
    expect(files).toEqual(expect.arrayContaining(['metrics.mjs', 'dist/metrics/index.js', 'dist/metrics/index.d.ts']));
    expect(pkg.peerDependenciesMeta['prom-client']).toEqual({ optional: true });
    expect(pkg.peerDependenciesMeta['@opentelemetry/api']).toEqual({ optional: true });
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('lib/') || f.startsWith('build/'))).toBe(false);
  });
});

describe('prebuilds', () => {
  const prebuilt = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  const available = existsSync(prebuilt);
  // CI runs `npm run prebuildify` before the tests; elsewhere the test needs that step first.
  (available || process.env.CI ? it : it.skip)('node-gyp-build loads the prebuild when there is no local build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpka-prebuild-'));
    try {
      for (const entry of ['package.json', 'dist', 'prebuilds']) cpSync(join(root, entry), join(dir, entry), { recursive: true });
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
      const script = [
        "const ngb = require('node-gyp-build');",
        'const file = ngb.path(process.cwd());',
        "const { setKeepAlive, getKeepAlive } = require('./');",
        "const net = require('net');",
        "const s = net.createServer().listen(0, '127.0.0.1', () => {",
        "  const c = net.connect(s.address().port, '127.0.0.1', () => {",
        '    setKeepAlive(c, { idle: 4500 });',
        '    console.log(JSON.stringify({ file, idle: getKeepAlive(c).idle }));',
        '    c.destroy(); s.close();',
        '  });',
        '});',
      ].join('\n');
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' }));
      expect(out.file).toContain(join('prebuilds', `${process.platform}-${process.arch}`));
      expect(out.idle).toBe(5000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
