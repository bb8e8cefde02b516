// setKeepAlive / getKeepAlive against the kernel, with `ss` as the independent observer.
import { setKeepAlive, getKeepAlive, capabilities } from '../../lib';
import { connectedPair, closeAll, listen } from '../helpers/sockets';
import { ssOf } from '../helpers/ss';
import { keepaliveDefaults } from '../helpers/sysctl';
import { once } from 'node:events';
import * as net from 'node:net';

afterEach(closeAll);

describe('setKeepAlive then getKeepAlive', () => {
  it('writes every option and reads back what the kernel holds', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { enable: true, idle: 5000, interval: 2000, count: 4, userTimeout: 12345 });
    expect(getKeepAlive(client)).toEqual({ enable: true, idle: 5000, interval: 2000, count: 4, userTimeout: 12345 });
  });

  it('is visible to ss: a keepalive timer armed for at most the idle time', async () => {
    const { client } = await connectedPair();
    expect(ssOf(client).timer).toBeUndefined();
    setKeepAlive(client, { idle: 7000 });
    const entry = ssOf(client);
    expect(entry.timer?.name).toBe('keepalive');
    expect(entry.timer!.expiresMs).toBeGreaterThan(5000);
    expect(entry.timer!.expiresMs).toBeLessThanOrEqual(7000);
    expect(entry.timer!.retrans).toBe(0);
  });

  it('enable: false removes the kernel timer (ss shows none) and stores timings for later', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 4000 });
    setKeepAlive(client, { enable: false, idle: 9000 });
    expect(ssOf(client).timer).toBeUndefined();
    expect(getKeepAlive(client)).toMatchObject({ enable: false, idle: 9000 });
    setKeepAlive(client, { enable: true });
    expect(ssOf(client).timer?.expiresMs).toBeGreaterThan(8000);
  });

  it('reports the system defaults for a socket that never set anything', async () => {
    const { client } = await connectedPair();
    expect(getKeepAlive(client)).toEqual({ enable: false, ...keepaliveDefaults(), userTimeout: 0 });
  });

  it('leaves options that are undefined unchanged', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 5000, count: 4, userTimeout: 9000 });
    setKeepAlive(client, { interval: 3000, idle: undefined });
    expect(getKeepAlive(client)).toEqual({ enable: true, idle: 5000, interval: 3000, count: 4, userTimeout: 9000 });
  });

  it.each([
    [{ idle: 3000 }],
    [{ interval: 3000 }],
    [{ count: 3 }],
    [{ userTimeout: 3000 }],
  ])('any timing (%p) implies enable: true', async (options) => {
    const { client } = await connectedPair();
    setKeepAlive(client, options);
    expect(getKeepAlive(client).enable).toBe(true);
  });

  it('userTimeout 0 returns to the kernel default', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { userTimeout: 5000 });
    setKeepAlive(client, { userTimeout: 0 });
    expect(getKeepAlive(client).userTimeout).toBe(0);
  });

  it('works on both ends and on IPv6 loopback', async () => {
    const server = await listen(net.createServer(), '::1');
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    const client = net.connect((server.address() as net.AddressInfo).port, '::1');
    await once(client, 'connect');
    const [peer] = await accepted;
    setKeepAlive(peer, { idle: 2000, interval: 1000, count: 2 });
    setKeepAlive(client, { idle: 3000 });
    expect(getKeepAlive(peer)).toMatchObject({ enable: true, idle: 2000, interval: 1000, count: 2 });
    expect(getKeepAlive(client)).toMatchObject({ enable: true, idle: 3000 });
    client.destroy();
  });
});

describe('rounding to what Linux holds (whole seconds, rounded up)', () => {
  it.each([
    [1, 1000],
    [999, 1000],
    [1000, 1000],
    [1000.5, 2000],
    [1001, 2000],
    [2500, 3000],
    [32_766_001, 32_767_000],
    [32_767_000, 32_767_000],
  ])('idle and interval %p ms are held as %p ms', async (requested, held) => {
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: requested, interval: requested });
    expect(getKeepAlive(client)).toMatchObject({ idle: held, interval: held });
  });

  it.each([
    [0, 0],
    [1, 1],
    [1.2, 2],
    [2 ** 31 - 1, 2 ** 31 - 1],
  ])('userTimeout %p ms is held as %p ms', async (requested, held) => {
    const { client } = await connectedPair();
    setKeepAlive(client, { userTimeout: requested });
    expect(getKeepAlive(client).userTimeout).toBe(held);
  });

  it('capabilities() states the granularity and limits used for rounding', () => {
    expect(capabilities()).toMatchObject({
      platform: 'linux',
      idle: true,
      interval: true,
      count: true,
      userTimeout: true,
      tcpInfo: true,
      readBack: true,
      limits: { idleGranularity: 1000, intervalGranularity: 1000, maxIdle: 32_767_000, maxInterval: 32_767_000, maxCount: 127 },
    });
    expect(Object.isFrozen(capabilities())).toBe(true);
  });
});
