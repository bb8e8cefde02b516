// Smoke test of an installed copy of the package through its PUBLIC API, run by
// scripts/prebuild-all.js under each prebuild's emulator (node.exe under wine, arm64 node under
// qemu) and by the prebuild workflow on each OS. Plain JavaScript: no build step, any Node >= 20.
//
//   node scripts/smoke.js <package dir> [result file]
//
// Prints one line per check and a closing "N passed, N failed" line; exit code 1 on a failure.
// While it holds the configured loopback connection it prints "HOLD <client port> <server port>"
// and waits HOLD_MS, so a host-side observer (ss) can check the kernel's view meanwhile.
'use strict';
const net = require('node:net');
const fs = require('node:fs');
const path = require('node:path');

const packageDir = path.resolve(process.argv[2] || '.');
const resultFile = process.argv[3];
const holdMs = Number(process.env.HOLD_MS || 0);
const api = require(packageDir);

const lines = [];
let passed = 0;
let failed = 0;
function log(line) {
  lines.push(line);
  if (resultFile) fs.writeFileSync(resultFile, lines.join('\n') + '\n');
  else console.log(line);
}
function check(name, fn) {
  try {
    const detail = fn();
    passed++;
    log(`ok - ${name}${detail === undefined ? '' : ` ${JSON.stringify(detail)}`}`);
  } catch (error) {
    failed++;
    log(`not ok - ${name}: ${error && error.stack ? error.stack.split('\n').slice(0, 3).join(' | ') : error}`);
  }
}
function equal(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}
/** Runs fn, which must throw an error with these properties; returns the error's summary. */
function throwsWith(fn, expected) {
  try {
    fn();
  } catch (error) {
    for (const [key, value] of Object.entries(expected)) equal(error[key], value, `error.${key}`);
    return { code: error.code, errno: error.errno, syscall: error.syscall, option: error.option };
  }
  throw new Error(`expected an error with ${JSON.stringify(expected)}, nothing was thrown`);
}
const roundUp = (ms, granularity) => Math.ceil(ms / granularity) * granularity;

function run(server, client, accepted) {
  const caps = api.capabilities();
  const g = caps.limits;
  log(`# ${process.platform}-${process.arch} node ${process.version} capabilities ${JSON.stringify(caps)}`);

  check('capabilities() is frozen and names the running platform', () => {
    equal(Object.isFrozen(caps), true, 'frozen');
    equal(caps.platform, process.platform, 'platform');
    equal(caps.readBack, Object.values(caps.readFrom).every((s) => s === 'kernel'), 'readBack');
  });

  check('getKeepAlive before any set reports the system state', () => {
    const before = api.getKeepAlive(client);
    equal(before.enable, false, 'enable');
    if (caps.readFrom.idle === 'remembered') equal(before.idle, 7_200_000, 'idle (Windows default)');
    if (caps.readFrom.count === 'fixed') equal(before.count, 10, 'count (Windows fixed)');
    return before;
  });

  check('setKeepAlive idle/interval, read back rounded up to the platform granularity', () => {
    api.setKeepAlive(client, { idle: 4500, interval: 1200 });
    const got = api.getKeepAlive(client);
    equal(got.enable, true, 'enable');
    equal(got.idle, roundUp(4500, g.idleGranularity), 'idle');
    equal(got.interval, roundUp(1200, g.intervalGranularity), 'interval');
    return got;
  });

  check('enable:false then enable:true keeps the idle/interval written before', () => {
    api.setKeepAlive(client, { enable: false });
    equal(api.getKeepAlive(client).enable, false, 'disabled');
    api.setKeepAlive(client, { enable: true });
    const got = api.getKeepAlive(client);
    equal([got.enable, got.idle], [true, roundUp(4500, g.idleGranularity)], 'enabled again');
  });

  check('count: set and read back, or refused with a typed ENOPROTOOPT and nothing applied', () => {
    if (caps.count) {
      api.setKeepAlive(client, { count: 4 });
      equal(api.getKeepAlive(client).count, 4, 'count');
      return 'settable';
    }
    const error = throwsWith(() => api.setKeepAlive(client, { idle: 9000, count: 3 }), {
      code: 'ENOPROTOOPT',
      syscall: 'setsockopt',
      option: 'TCP_KEEPCNT',
    });
    if (typeof error.errno !== 'number' || error.errno >= 0) throw new Error(`errno ${error.errno}`);
    equal(api.getKeepAlive(client).idle, roundUp(4500, g.idleGranularity), 'idle untouched');
    return error;
  });

  check('userTimeout: set and read back, or refused with a typed ENOPROTOOPT', () => {
    if (caps.userTimeout) {
      api.setKeepAlive(client, { userTimeout: 2500 });
      equal(api.getKeepAlive(client).userTimeout, roundUp(2500, g.userTimeoutGranularity), 'userTimeout');
      return 'settable';
    }
    return throwsWith(() => api.setKeepAlive(client, { userTimeout: 2500 }), { code: 'ENOPROTOOPT' });
  });

  check('the accepted socket and the listening server are reachable too', () => {
    api.setKeepAlive(accepted, { idle: 3000 });
    api.setKeepAlive(server, { idle: 6000 });
    const got = [api.getKeepAlive(accepted).idle, api.getKeepAlive(server).idle];
    equal(got, [roundUp(3000, g.idleGranularity), roundUp(6000, g.idleGranularity)], 'idle');
    equal(api.getKeepAlive(client).idle, roundUp(4500, g.idleGranularity), 'client untouched');
  });

  check('getTcpInfo: ESTABLISHED with an RTT, or a typed system error where the OS has none', () => {
    if (caps.tcpInfo) {
      const info = api.getTcpInfo(client);
      equal(info.state, 'ESTABLISHED', 'state');
      // qemu-user (7.2) copies only the first 4 bytes of TCP_INFO back to the guest.
      if (process.env.SMOKE_UNDER_QEMU && info.rtt === undefined) return { state: info.state, note: 'qemu-user: 4 bytes' };
      if (typeof info.rtt !== 'number' || info.rtt < 0) throw new Error(`rtt ${info.rtt}`);
      return { state: info.state, rtt: info.rtt, sndMss: info.sndMss };
    }
    try {
      api.getTcpInfo(client);
    } catch (error) {
      if (typeof error.code !== 'string' || typeof error.errno !== 'number' || !error.syscall) throw error;
      return { code: error.code, syscall: error.syscall, option: error.option };
    }
    throw new Error('capabilities().tcpInfo is false but getTcpInfo worked');
  });

  check('bad input gets Node-style typed errors', () => {
    throwsWith(() => api.setKeepAlive(client, { idle: -1 }), { code: 'ERR_OUT_OF_RANGE' });
    throwsWith(() => api.setKeepAlive(client, { idel: 1000 }), { code: 'ERR_INVALID_ARG_VALUE' });
    throwsWith(() => api.setKeepAlive({}, { idle: 1000 }), { code: 'ERR_INVALID_ARG_TYPE' });
    throwsWith(() => api.setKeepAlive(client, { interval: 'x' }), { code: 'ERR_INVALID_ARG_TYPE' });
    equal(api.getKeepAlive(client).idle, roundUp(4500, g.idleGranularity), 'nothing applied');
  });
}

// IPv6 loopback: on Windows the socket is found by address, so '::1' must parse and match too.
async function ipv6(granularity) {
  const v6 = net.createServer();
  const listening = await new Promise((resolve) => {
    v6.once('error', () => resolve(false));
    v6.listen(0, '::1', () => resolve(true));
  });
  if (!listening) return log('# skipped IPv6 checks: no ::1 on this machine');
  const accepted = new Promise((resolve) => v6.once('connection', resolve));
  const c6 = net.connect(v6.address().port, '::1');
  await new Promise((resolve) => c6.once('connect', resolve));
  const peer = await accepted;
  check('IPv6 loopback: client, accepted socket and listener each keep their own settings', () => {
    api.setKeepAlive(c6, { idle: 2000 });
    api.setKeepAlive(peer, { idle: 3000 });
    api.setKeepAlive(v6, { idle: 4000 });
    const got = [c6, peer, v6].map((t) => api.getKeepAlive(t).idle);
    equal(got, [2000, 3000, 4000].map((ms) => roundUp(ms, granularity)), 'idle');
  });
  c6.destroy();
  peer.destroy();
  v6.close();
}

function finish(code) {
  log(`${passed} passed, ${failed} failed`);
  process.exit(code ?? (failed ? 1 : 0));
}

const server = net.createServer();
server.listen(0, '127.0.0.1', () => {
  const accepted = new Promise((resolve) => server.once('connection', resolve));
  const client = net.connect(server.address().port, '127.0.0.1');
  client.once('connect', async () => {
    const peer = await accepted;
    run(server, client, peer);
    const early = net.connect(server.address().port, '127.0.0.1');
    check('a socket configured before it connects gets the settings at connect (queued)', () =>
      api.setKeepAlive(early, { idle: 7000 }));
    await new Promise((resolve) => early.once('connect', resolve));
    check('... and reads them back once connected', () => {
      const got = api.getKeepAlive(early);
      equal([got.enable, got.idle], [true, roundUp(7000, api.capabilities().limits.idleGranularity)], 'queued plan');
    });
    early.destroy();
    await ipv6(api.capabilities().limits.idleGranularity);
    if (holdMs > 0) {
      // Hold the connection open with idle 4.5 s configured so an observer can see it.
      api.setKeepAlive(client, { idle: 4500, interval: 1200 });
      log(`HOLD ${client.localPort} ${server.address().port}`);
      await new Promise((resolve) => setTimeout(resolve, holdMs));
    }
    client.destroy();
    check('a destroyed socket is ERR_SOCKET_CLOSED', () =>
      throwsWith(() => api.getKeepAlive(client), { code: 'ERR_SOCKET_CLOSED' }));
    peer.destroy();
    server.close();
    finish();
  });
});
setTimeout(() => {
  log('not ok - timed out after 60 s');
  failed++;
  finish(1);
}, 60_000).unref();
