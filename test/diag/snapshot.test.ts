// getKeepAliveTimer / snapshot against real loopback sockets, with ss as the independent observer.
import * as net from 'node:net';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { getKeepAliveTimer, snapshot, setKeepAlive, getTcpInfo } from '../../lib/index';
import { closeAll, connectedPair, listen, portOf, track } from '../helpers/sockets';
import { ssByLocalPort } from '../helpers/ss';

afterEach(closeAll);

function tupleOf(socket: net.Socket): string {
  return `${socket.localAddress}:${socket.localPort}>${socket.remoteAddress}:${socket.remotePort}`;
}

describe('getKeepAliveTimer', () => {
  it('reads the armed keepalive countdown, as ss does', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 30000, interval: 1000, count: 3 });
    const timer = getKeepAliveTimer(client);
    const [seen] = ssByLocalPort(client.localPort as number);
    expect(timer.timer).toBe('keepalive');
    expect(timer.probesOut).toBe(0);
    expect(seen.timer).toMatchObject({ name: 'keepalive', retrans: 0 });
    expect(timer.expiresIn).toBeGreaterThan(28000);
    expect(timer.expiresIn).toBeLessThanOrEqual(30000);
    expect(Math.abs(timer.expiresIn - (seen.timer?.expiresMs ?? 0))).toBeLessThan(1500);
  });

  it('counts down between two reads', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 60000 });
    const first = getKeepAliveTimer(client).expiresIn;
    await new Promise((r) => setTimeout(r, 300));
    const second = getKeepAliveTimer(client).expiresIn;
    expect(first - second).toBeGreaterThanOrEqual(200);
    expect(first - second).toBeLessThan(1500);
  });

  it("is 'none' without keepalive, and after keepalive is switched off", async () => {
    const { client, accepted } = await connectedPair();
    expect(getKeepAliveTimer(accepted)).toEqual({ timer: 'none', expiresIn: 0, probesOut: 0 });
    setKeepAlive(client, { idle: 5000 });
    expect(getKeepAliveTimer(client).timer).toBe('keepalive');
    setKeepAlive(client, { enable: false });
    expect(getKeepAliveTimer(client)).toEqual({ timer: 'none', expiresIn: 0, probesOut: 0 });
    expect(ssByLocalPort(client.localPort as number)[0].timer).toBeUndefined();
  });

  it('finds IPv6 and dual-stack (v4-mapped) sockets by their exact 4-tuple', async () => {
    const server = await listen(net.createServer(), '::');
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    const client = track(net.connect(portOf(server), '127.0.0.1'));
    await once(client, 'connect');
    const [mapped] = await accepted;
    expect(mapped.remoteAddress).toBe('::ffff:127.0.0.1');
    setKeepAlive(mapped, { idle: 9000 });
    expect(getKeepAliveTimer(mapped)).toMatchObject({ timer: 'keepalive', probesOut: 0 });
    const six = track(net.connect(portOf(server), '::1'));
    await once(six, 'connect');
    setKeepAlive(six, { idle: 7000 });
    const timer = getKeepAliveTimer(six);
    expect(timer.timer).toBe('keepalive');
    expect(timer.expiresIn).toBeLessThanOrEqual(7000);
  });

  it("reports the zero-window probe timer when the peer stops reading (ss: 'persist')", async () => {
    const server = await listen(net.createServer({ pauseOnConnect: true }));
    const { client } = await connectedPair(server);
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < 64; i++) client.write(chunk); // far more than both socket buffers hold
    let timer = getKeepAliveTimer(client);
    for (let i = 0; i < 50 && timer.timer !== 'zero-window-probe'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      timer = getKeepAliveTimer(client);
    }
    const [seen] = ssByLocalPort(client.localPort as number);
    expect(timer.timer).toBe('zero-window-probe');
    expect(seen.timer?.name).toBe('persist');
    expect(snapshot([client])[0]).toMatchObject({ timer: 'zero-window-probe' });
  });

  it('rejects what is not a connected socket with a typed error', async () => {
    const { server, client } = await connectedPair();
    expect(() => getKeepAliveTimer(server as unknown as net.Socket)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => getKeepAliveTimer({} as net.Socket)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => getKeepAliveTimer(new net.Socket())).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_NOT_CONNECTED' }));
    client.destroy();
    expect(() => getKeepAliveTimer(client)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
  });
});

describe('snapshot', () => {
  it('returns the given sockets in order with 4-tuple, timer and the TCP_INFO of getTcpInfo', async () => {
    const server = await listen(net.createServer(), '::');
    const sockets: net.Socket[] = [];
    for (const host of ['127.0.0.1', '::1', '127.0.0.1']) {
      const accepted = once(server, 'connection') as Promise<[net.Socket]>;
      const client = track(net.connect(portOf(server), host));
      await once(client, 'connect');
      const [peer] = await accepted;
      sockets.push(client, peer);
    }
    setKeepAlive(sockets[2], { idle: 20000, count: 4 });
    const states = snapshot(sockets);
    expect(states.map((s) => `${s.localAddress}:${s.localPort}>${s.remoteAddress}:${s.remotePort}`)).toEqual(sockets.map(tupleOf));
    expect(states.map((s) => s.family)).toEqual(['IPv4', 'IPv6', 'IPv6', 'IPv6', 'IPv4', 'IPv6']);
    for (const [i, state] of states.entries()) {
      expect(state.state).toBe('ESTABLISHED');
      const info = getTcpInfo(sockets[i]);
      expect(state.tcpInfo).toMatchObject({ state: 'ESTABLISHED', sndMss: info.sndMss, rcvMss: info.rcvMss, advMss: info.advMss, probes: 0 });
      expect(state.inode).toBeGreaterThan(0);
    }
    expect(states[2]).toMatchObject({ timer: 'keepalive', probesOut: 0 });
    expect(states[2].expiresIn).toBeGreaterThan(18000);
    expect(states[0]).toMatchObject({ timer: 'none', expiresIn: 0 });
    expect(new Set(states.map((s) => s.inode)).size).toBe(states.length);
  });

  it('leaves out sockets without a live OS socket', async () => {
    const { client, accepted } = await connectedPair();
    const pending = new net.Socket();
    const closed = (await connectedPair()).client;
    closed.destroy();
    const states = snapshot([pending, client, closed, accepted]);
    expect(states.map((s) => s.localPort)).toEqual([client.localPort, accepted.localPort]);
    expect(snapshot([])).toEqual([]);
  });

  it("without an argument: every connection of this process and none of another process's", async () => {
    const server = await listen();
    const ours = await connectedPair(server);
    // A connection whose client end lives in another process.
    const child = spawn(process.execPath, ['-e', `const s=require('net').connect(${portOf(server)},'127.0.0.1',()=>console.log(s.localPort));setTimeout(()=>{},20000)`]);
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const foreignPort = Number(String(line).trim());
      const states = snapshot();
      const tuples = new Set(states.map((s) => `${s.localAddress}:${s.localPort}>${s.remoteAddress}:${s.remotePort}`));
      expect(tuples.has(tupleOf(ours.client))).toBe(true);
      expect(tuples.has(tupleOf(ours.accepted))).toBe(true);
      expect(states.some((s) => s.localPort === foreignPort)).toBe(false); // the child's end
      // Our end of the child's connection is ours, and listeners are not connections.
      expect(states.some((s) => s.remotePort === foreignPort)).toBe(true);
      expect(states.some((s) => s.state === 'LISTEN')).toBe(false);
    } finally {
      child.kill();
    }
  });

  it('rejects bad arguments with typed errors', () => {
    expect(() => snapshot('all' as unknown as net.Socket[])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => snapshot([{} as net.Socket])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('sockets[0]') }));
  });
});
