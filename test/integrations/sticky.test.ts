// "It must stick": Node's own socket.setKeepAlive calls (and its keepAlive connect option) must
// not undo a configuration made with setKeepAlive / keepAliveSocket. Every check reads the kernel back.
import * as net from 'node:net';
import { once } from 'node:events';
import { getKeepAlive, keepAliveSocket, keptKeepAlive, releaseKeepAlive, setKeepAlive } from '../../lib';
import { closeAll, connectedPair, listen, portOf, track } from '../helpers/sockets';
import { ssByLocalPort } from '../helpers/ss';
import { OURS } from './fixtures/values';

// Node 24.19+ / 26.4+ accept setKeepAlive(enable, delay, interval, count) and an options object.
const nodeTakesIntervalAndCount = net.Socket.prototype.setKeepAlive.length >= 3;
type AnySetKeepAlive = (...args: unknown[]) => net.Socket;

afterEach(closeAll);

describe('keepAliveSocket keeps its configuration through Node calls', () => {
  it("control: without the keeping (released), Node's setKeepAlive(true, 5000) overwrites the configuration", async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, OURS);
    releaseKeepAlive(client);
    client.setKeepAlive(true, 5000);
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 5000, interval: 1000, count: 10 });
  });

  it("setKeepAlive itself keeps its configuration through Node's setKeepAlive(true, 5000)", async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, OURS);
    expect(keptKeepAlive(client)).toEqual(OURS);
    client.setKeepAlive(true, 5000);
    expect(getKeepAlive(client)).toEqual({ enable: true, ...OURS });
  });

  it("restores every field after Node's setKeepAlive(true, delay), also when Node repeats it", async () => {
    const { client } = await connectedPair();
    keepAliveSocket(client, OURS);
    client.setKeepAlive(true, 5000);
    expect(getKeepAlive(client)).toEqual({ enable: true, ...OURS });
    client.setKeepAlive(true, 5000); // Node skips an unchanged call; the kernel keeps ours
    client.setKeepAlive(true, 7000);
    expect(getKeepAlive(client)).toEqual({ enable: true, ...OURS });
  });

  it('keeps only the fields it was given; the others are what Node set', async () => {
    const { client } = await connectedPair();
    keepAliveSocket(client, { interval: 3000, count: 4 });
    client.setKeepAlive(true, 5000);
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 5000, interval: 3000, count: 4 });
  });

  it('a later setKeepAlive(socket, ...) of this package merges into the kept fields and survives Node too', async () => {
    const { client } = await connectedPair();
    keepAliveSocket(client, { idle: 30000, count: 4 });
    setKeepAlive(client, { idle: 60000, interval: 7000 });
    expect(keptKeepAlive(client)).toEqual({ idle: 60000, count: 4, interval: 7000 });
    client.setKeepAlive(true, 5000);
    // userTimeout was never given: it keeps whatever it was (the kernel default, 0).
    expect(getKeepAlive(client)).toEqual({ enable: true, idle: 60000, interval: 7000, count: 4, userTimeout: 0 });
  });

  it('keepalive turned off with this package stays off when Node turns it on', async () => {
    const { client } = await connectedPair();
    keepAliveSocket(client, OURS);
    setKeepAlive(client, { enable: false });
    client.setKeepAlive(true, 5000);
    expect(getKeepAlive(client)).toEqual({ enable: false, ...OURS });
  });

  it('the ss observer sees our idle in the kernel timer after Node asked for 1 s', async () => {
    const { server, accepted } = await connectedPair();
    keepAliveSocket(accepted, { idle: 30000 });
    accepted.setKeepAlive(true, 1000);
    const [entry] = ssByLocalPort(portOf(server)).filter((e) => e.timer?.name === 'keepalive');
    expect(entry).toBeDefined();
    expect(entry.timer!.expiresMs).toBeGreaterThan(20000);
    expect(entry.timer!.expiresMs).toBeLessThanOrEqual(30000);
  });

  it('handles the (enable, delay, interval, count) and options-object forms of newer Node', async () => {
    const { client, accepted } = await connectedPair();
    const nodeCall = accepted.setKeepAlive as unknown as AnySetKeepAlive;
    nodeCall.call(accepted, true, 5000, 2000, 3);
    // Control: what Node itself writes, so the check below proves something on every line.
    expect(getKeepAlive(accepted)).toMatchObject(
      nodeTakesIntervalAndCount ? { idle: 5000, interval: 2000, count: 3 } : { idle: 5000, interval: 1000, count: 10 },
    );
    keepAliveSocket(client, OURS);
    const kept = client.setKeepAlive as unknown as AnySetKeepAlive;
    kept.call(client, true, 5000, 2000, 3);
    expect(getKeepAlive(client)).toEqual({ enable: true, ...OURS });
    kept.call(client, { enable: true, initialDelay: 6000, interval: 5000, count: 2 });
    expect(getKeepAlive(client)).toEqual({ enable: true, ...OURS });
  });

  it("Node's setKeepAlive(false) wins: keepalive goes off and the socket is released", async () => {
    const { client } = await connectedPair();
    keepAliveSocket(client, OURS);
    client.setKeepAlive(false);
    expect(getKeepAlive(client).enable).toBe(false);
    expect(keptKeepAlive(client)).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(client, 'setKeepAlive')).toBe(false);
    client.setKeepAlive(true, 2000);
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 2000, interval: 1000, count: 10 });
  });

  it('a plan with enable:false keeps keepalive off when Node turns it on', async () => {
    const { client } = await connectedPair();
    keepAliveSocket(client, { enable: false });
    client.setKeepAlive(true, 5000);
    expect(getKeepAlive(client).enable).toBe(false);
  });

  it('releaseKeepAlive hands the socket back to Node; calling again merges options', async () => {
    const { client } = await connectedPair();
    keepAliveSocket(client, { idle: 30000 });
    keepAliveSocket(client, { count: 4 });
    expect(keptKeepAlive(client)).toEqual({ idle: 30000, count: 4 });
    client.setKeepAlive(true, 5000);
    expect(getKeepAlive(client)).toMatchObject({ idle: 30000, interval: 1000, count: 4 });
    releaseKeepAlive(client);
    client.setKeepAlive(true, 6000);
    expect(getKeepAlive(client)).toMatchObject({ idle: 6000, interval: 1000, count: 10 });
  });

  it("net.connect({ keepAlive: true }): Node's connect-time call comes first, 'connect' listeners see ours", async () => {
    const server = await listen();
    const client = track(net.connect({ port: portOf(server), host: '127.0.0.1', keepAlive: true, keepAliveInitialDelay: 4000 }));
    const seen = new Promise((resolve) => client.on('connect', () => resolve(getKeepAlive(client))));
    keepAliveSocket(client, OURS);
    expect(await seen).toEqual({ enable: true, ...OURS });
  });

  it('a socket configured while connecting (descriptor already open) is written again at connect', async () => {
    const server = await listen();
    const client = track(net.connect({ port: portOf(server), host: '127.0.0.1', keepAlive: true, keepAliveInitialDelay: 4000 }));
    await new Promise((resolve) => process.nextTick(resolve)); // after Node's own connect tick
    expect(client.connecting).toBe(true);
    expect((client as unknown as { _handle: { fd: number } })._handle.fd).toBeGreaterThanOrEqual(0);
    keepAliveSocket(client, OURS);
    await once(client, 'connect');
    expect(getKeepAlive(client)).toEqual({ enable: true, ...OURS });
  });

  it('bad options and targets throw typed errors and leave the socket untouched', async () => {
    const { client, server } = await connectedPair();
    const before = getKeepAlive(client);
    expect(() => keepAliveSocket(client, { idle: -1 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => keepAliveSocket(client, { idel: 1000 } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => keepAliveSocket(server as never, OURS)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(keptKeepAlive(client)).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(client, 'setKeepAlive')).toBe(false);
    expect(getKeepAlive(client)).toEqual(before);
  });

  it('a socket destroyed later makes Node-originated calls harmless', async () => {
    const { client } = await connectedPair();
    keepAliveSocket(client, OURS);
    client.destroy();
    expect(() => client.setKeepAlive(true, 1000)).not.toThrow();
  });
});
