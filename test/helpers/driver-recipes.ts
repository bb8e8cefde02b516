// What every driver-recipe test (test/drivers) checks and how it finds a driver's socket.
import type * as net from 'node:net';
import { getKeepAlive, keepAliveEverywhere, type EverywhereHandle } from '../../lib';
import { ssOf } from './ss';

export const OURS = { idle: 20000, interval: 2000, count: 5, userTimeout: 15000 };
export const EXPECTED = { enable: true, ...OURS };

/** The kernel holds OURS on the socket (read back), and ss sees our keepalive timer. */
export function expectConfigured(socket: net.Socket | undefined): void {
  expect(socket).toBeDefined();
  expect(getKeepAlive(socket!)).toEqual(EXPECTED);
  const timer = ssOf(socket!).timer;
  expect(timer?.name).toBe('keepalive');
  expect(timer!.expiresMs).toBeLessThanOrEqual(OURS.idle);
}

/** keepAliveEverywhere for connections to `port`, collecting the sockets it configures. */
export function everywhereTo(port: number): { sockets: net.Socket[]; handle: EverywhereHandle } {
  const sockets: net.Socket[] = [];
  const handle = keepAliveEverywhere(OURS, {
    servers: false,
    filter: (socket, info) => info.port === port && sockets.push(socket) > 0,
  });
  return { sockets, handle };
}
