// The compile gate of the targets this Linux machine cannot run: darwin-x64, darwin-arm64,
// linux-x64-musl, linux-arm64-musl and win32-arm64, built with the Zig toolchain from the npm
// registry (scripts/zig-toolchain.js) from binding.gyp's source lists, with -Wall -Wextra -Werror.
// Each build compiles src-native/tcp_info_layout.h's static_asserts against that target's own
// system headers, so a struct offset the TypeScript decoders use that the platform disagrees with
// does not compile. A linked binary is checked (scripts/binary-format.js: object format, CPU, C
// library, the exported napi_register_module_v1) and copied to prebuilds/ under the name
// prebuildify gives it. None of them is run here; the release workflow builds and tests each on
// its own OS.
//
// Cost (2 cores): objects of every target ~45 s cold; a link ~2 min cold per target (Zig builds
// libc++ and the C runtime for it), seconds once Zig's cache has them. So every run compiles
// every target, links every target whose runtime is cached (~/.cache/tcp-keepalive/zig-cache,
// kept between runs where the machine is), and links at most one more cold, so a kept machine
// links all of them from its fifth run on.
//
//   node scripts/cross-compile.js [target...]     that policy (default: every target)
//   CROSS_LINK=all node scripts/cross-compile.js  link every target, cold or not
//   CROSS_LINK=none node scripts/cross-compile.js objects only
'use strict';
const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { fetchToolchain, cacheRoot } = require('./zig-toolchain');
const { problems } = require('./binary-format');

const root = path.resolve(__dirname, '..');
const work = path.join(root, '.cache', 'prebuild');
const JOBS = 2;

const TARGETS = {
  'darwin-x64': { zig: 'x86_64-macos.10.15', gyp: 'mac', dir: 'darwin-x64', file: 'tcp-keepalive.node', expect: { format: 'Mach-O', cpu: 'x64' } },
  'darwin-arm64': { zig: 'aarch64-macos.11.0', gyp: 'mac', dir: 'darwin-arm64', file: 'tcp-keepalive.node', expect: { format: 'Mach-O', cpu: 'arm64' } },
  'linux-x64-musl': { zig: 'x86_64-linux-musl', gyp: 'linux', dir: 'linux-x64', file: 'tcp-keepalive.musl.node', expect: { format: 'ELF', cpu: 'x64', libc: 'musl' } },
  'linux-arm64-musl': { zig: 'aarch64-linux-musl', gyp: 'linux', dir: 'linux-arm64', file: 'tcp-keepalive.musl.node', expect: { format: 'ELF', cpu: 'arm64', libc: 'musl' } },
  'win32-arm64': { zig: 'aarch64-windows-gnu', gyp: 'win', dir: 'win32-arm64', file: 'tcp-keepalive.node', expect: { format: 'PE', cpu: 'arm64' } },
};

/** binding.gyp's sources and defines for one OS (it is a Python literal: JSON without comments). */
function gypBuild(os) {
  const text = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8').replace(/^\s*#.*$/gm, '').replace(/,(\s*[\]}])/g, '$1');
  const target = JSON.parse(text).targets.find((t) => t.target_name === 'tcp_keepalive');
  const sources = [...target.sources];
  const defines = [...(target.defines ?? [])];
  for (const [condition, branch] of target.conditions ?? []) {
    if (condition.replace(/\s/g, '') !== `OS=='${os}'`) continue;
    sources.push(...(branch.sources ?? []));
    defines.push(...(branch.defines ?? []));
  }
  return { sources, defines };
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(cmd)} ${args.join(' ')}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

async function parallel(tasks) {
  const queue = [...tasks];
  await Promise.all(Array.from({ length: JOBS }, async () => {
    while (queue.length) await queue.shift()();
  }));
}

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

async function build(name, zig, env, link) {
  const spec = TARGETS[name];
  const out = path.join(work, `cross-${name}`);
  fs.mkdirSync(out, { recursive: true });
  const { sources, defines } = gypBuild(spec.gyp);
  const flags = [
    '-target', spec.zig, '-std=c++17', '-O2', '-fPIC', '-fvisibility=hidden', '-Wall', '-Wextra', '-Werror',
    '-I', path.join(root, 'node_modules', 'node-api-headers', 'include'),
    // Zig defines _WIN32_WINNT itself: binding.gyp's value replaces it.
    ...(spec.gyp === 'win' ? ['-U_WIN32_WINNT'] : []),
    ...defines.map((d) => `-D${d}`),
  ];
  const objects = sources.map((source) => path.join(out, path.basename(source).replace(/\.cc$/, '.o')));
  const started = Date.now();
  await parallel(sources.map((source, i) => () => run(zig, ['c++', ...flags, '-c', path.join(root, source), '-o', objects[i]], env)));
  const compiled = seconds(started);
  if (!link) return `${name}: compiled ${sources.length} files in ${compiled} (objects only: not linked this run)`;

  const linkStarted = Date.now();
  const binary = path.join(out, spec.file);
  const args = ['c++', '-target', spec.zig, '-shared', '-s', ...objects, '-o', binary];
  if (spec.gyp === 'mac') args.push('-Wl,-undefined,dynamic_lookup');
  if (spec.gyp === 'win') {
    // node.exe exports Node-API and the libuv functions used: import libraries from .def files.
    const defs = [
      path.join(root, 'node_modules', 'node-api-headers', 'def', 'node_api.def'),
      path.join(root, 'node_modules', 'node-api-headers', 'def', 'js_native_api.def'),
      path.join(root, 'cmake', 'node-uv.def'),
    ];
    for (const def of defs) {
      const lib = path.join(out, `lib${path.basename(def, '.def')}.a`);
      await run(zig, ['dlltool', '-m', 'arm64', '-d', def, '-l', lib], env);
      args.push(lib);
    }
    args.push('-lws2_32');
  }
  await run(zig, args, env);
  const { found, wrong } = problems(fs.readFileSync(binary), spec.expect);
  if (wrong.length) throw new Error(`${name}: ${spec.file}: ${wrong.join('; ')}`);
  const dest = path.join(root, 'prebuilds', spec.dir, spec.file);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(binary, dest);
  const what = `${found.format} ${found.cpu}${found.libc ? ` ${found.libc}` : ''}, exports napi_register_module_v1`;
  return `${name}: compiled in ${compiled}, linked in ${seconds(linkStarted)}: prebuilds/${spec.dir}/${spec.file} (${what}; compiled, not run here)`;
}

// A target linked once with this toolchain has its runtime in Zig's cache: linking it again is
// cheap. The marker lives in that cache, so clearing the cache clears it.
function linkedMarker(cache, name) {
  return path.join(cache, 'tcp-keepalive-linked', name);
}

/** Compiles (and links, per the policy above) `wanted`; throws at the first failure. */
async function crossCompile(wanted = Object.keys(TARGETS), mode = process.env.CROSS_LINK || 'warm') {
  for (const name of wanted) if (!TARGETS[name]) throw new Error(`unknown target ${name}; known: ${Object.keys(TARGETS).join(', ')}`);
  if (!['warm', 'all', 'none'].includes(mode)) throw new Error(`CROSS_LINK=${mode}: expected warm, all or none`);
  const zig = fetchToolchain();
  const cache = path.join(cacheRoot(), 'zig-cache');
  const env = { ...process.env, ZIG_GLOBAL_CACHE_DIR: cache, ZIG_LOCAL_CACHE_DIR: cache };
  const started = Date.now();
  let coldLinks = 0;
  const lines = [];
  for (const name of wanted) {
    const warm = fs.existsSync(linkedMarker(cache, name));
    const link = mode === 'all' || (mode === 'warm' && (warm || coldLinks++ === 0));
    const line = await build(name, zig, env, link);
    if (link) {
      fs.mkdirSync(path.dirname(linkedMarker(cache, name)), { recursive: true });
      fs.writeFileSync(linkedMarker(cache, name), `${new Date().toISOString()}\n`);
    }
    console.log(`${line}${link ? (warm ? ' [warm]' : ' [cold]') : ''}`);
    lines.push(line);
  }
  const version = execFileSync(zig, ['version'], { encoding: 'utf8' }).trim();
  console.log(`cross-compile: ${wanted.length} targets in ${seconds(started)} (zig ${version}, cache ${cache})`);
  return lines;
}

module.exports = { TARGETS, crossCompile };

if (require.main === module) {
  crossCompile(process.argv.slice(2).length ? process.argv.slice(2) : undefined).catch((error) => {
    console.error(`cross-compile FAILED: ${error.message}`);
    process.exit(1);
  });
}
