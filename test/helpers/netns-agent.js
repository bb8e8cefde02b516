'use strict';
// A TCP endpoint that runs inside a network namespace (`ip netns exec NS node netns-agent.js`):
// Node cannot setns(), so each test host is a child process. It uses the package's public API
// (the built package root) and speaks JSON lines: requests on stdin, replies and events on stdout.
//   request: {"id": 1, "cmd": "connect", ...}   reply: {"id": 1, "ok": true, "result": ...}
//   event:   {"event": "error", "sock": "c1", ...}
// Times are wall-clock ms from performance (fractional); durations are computed in this process.
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const { performance } = require('node:perf_hooks');
const { Buffer } = require('node:buffer');
const keepalive = require(path.join(__dirname, '..', '..'));

const now = () => performance.timeOrigin + performance.now();
const sockets = new Map(); // id -> { socket, lastReceiveAt, probeLog, sampler }
const servers = new Map();
let nextId = 1;

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

function entry(id) {
  const found = sockets.get(id);
  if (!found) throw new Error(`no socket ${id}`);
  return found;
}

function sinceLastReceive(item, at) {
  return at - item.lastReceiveAt;
}

// Samples getTcpInfo().probes and keeps every change, so a test sees the 0 → 1 → 2 → 3 climb.
function startSampler(id, everyMs) {
  const item = entry(id);
  if (item.sampler) return;
  const sample = () => {
    if (item.socket.destroyed) return;
    try {
      const probes = keepalive.getTcpInfo(item.socket).probes;
      const last = item.probeLog[item.probeLog.length - 1];
      if (!last || last.probes !== probes) {
        const at = now();
        item.probeLog.push({ probes, sinceLastReceive: sinceLastReceive(item, at) });
        send({ event: 'probes', sock: id, probes, at, sinceLastReceive: sinceLastReceive(item, at) });
      }
    } catch {
      // The socket closed between the check and the read; the 'error'/'close' event reports it.
    }
  };
  sample();
  item.sampler = setInterval(sample, everyMs);
}

function adopt(socket, prefix, echo) {
  const id = `${prefix}${nextId++}`;
  const item = { socket, lastReceiveAt: now(), probeLog: [], sampler: null, received: 0 };
  sockets.set(id, item);
  socket.on('data', (chunk) => {
    item.lastReceiveAt = now();
    item.received += chunk.length;
    if (echo) socket.write(chunk);
    else send({ event: 'data', sock: id, bytes: chunk.length, total: item.received, at: item.lastReceiveAt });
  });
  socket.on('error', (error) => {
    const at = now();
    send({
      event: 'error', sock: id, code: error.code, syscall: error.syscall, at,
      sinceLastReceive: sinceLastReceive(item, at), probeLog: item.probeLog,
    });
  });
  socket.on('end', () => send({ event: 'end', sock: id }));
  socket.on('close', (hadError) => {
    if (item.sampler) clearInterval(item.sampler);
    send({ event: 'close', sock: id, hadError, at: now() });
  });
  return id;
}

const commands = {
  async listen({ host, port = 0, keepAlive, echo = true }) {
    const server = net.createServer();
    server.on('connection', (socket) => {
      const sock = adopt(socket, 's', echo);
      send({ event: 'accepted', sock, remotePort: socket.remotePort });
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    if (keepAlive) keepalive.setKeepAlive(server, keepAlive);
    const id = `L${nextId++}`;
    servers.set(id, server);
    return { server: id, port: server.address().port };
  },
  // keepAlive is applied before connect (the package defers it to 'connect') unless `after`.
  async connect({ host, port, keepAlive, after = false }) {
    const socket = net.connect({ host, port });
    if (keepAlive && !after) keepalive.setKeepAlive(socket, keepAlive);
    await new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', resolve);
    });
    if (keepAlive && after) keepalive.setKeepAlive(socket, keepAlive);
    return { sock: adopt(socket, 'c', false), localPort: socket.localPort };
  },
  setKeepAlive({ sock, options }) {
    keepalive.setKeepAlive(entry(sock).socket, options);
    return keepalive.getKeepAlive(entry(sock).socket);
  },
  getKeepAlive({ sock }) {
    return keepalive.getKeepAlive(entry(sock).socket);
  },
  tcpInfo({ sock }) {
    return keepalive.getTcpInfo(entry(sock).socket);
  },
  // Sends `text` and waits (bounded) for the echo (the peer must echo); `echoed` says if it came.
  async ping({ sock, text = 'ping', timeoutMs = 5000 }) {
    const item = entry(sock);
    const before = item.received;
    item.socket.write(text);
    const deadline = now() + timeoutMs;
    while (item.received < before + text.length && !item.socket.destroyed && now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { echoed: item.received >= before + text.length, at: item.lastReceiveAt };
  },
  write({ sock, bytes }) {
    entry(sock).socket.write(Buffer.alloc(bytes, 0x61));
    return { at: now() };
  },
  watch({ sock, everyMs = 50 }) {
    startSampler(sock, everyMs);
    return {};
  },
  status({ sock }) {
    const item = entry(sock);
    return { destroyed: item.socket.destroyed, sinceLastReceive: sinceLastReceive(item, now()), probeLog: item.probeLog };
  },
  resetAndDestroy({ sock }) {
    entry(sock).socket.resetAndDestroy();
    return {};
  },
  destroy({ sock }) {
    entry(sock).socket.destroy();
    return {};
  },
};

const input = readline.createInterface({ input: process.stdin });
input.on('line', async (line) => {
  let request;
  try {
    request = JSON.parse(line);
    if (!Object.hasOwn(commands, request.cmd)) throw new Error(`unknown command ${request.cmd}`);
    const result = await commands[request.cmd](request);
    send({ id: request.id, ok: true, result });
  } catch (error) {
    send({ id: request && request.id, ok: false, error: { message: String(error && error.message), code: error && error.code } });
  }
});
// The parent went away (or closed our stdin): leave, so the namespace can be removed.
input.on('close', () => process.exit(0));
send({ event: 'ready', pid: process.pid });
