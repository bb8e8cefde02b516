// An undici `connect` hook: `new Agent({ connect: keepAliveUndiciConnect(options) })` gives every
// connection of that Agent/Pool/Client (and of fetch through setGlobalDispatcher) the keepalive
// configuration. undici is an optional peer dependency, loaded only when a connector must be built.
import type * as net from 'node:net';
import { invalidArgType, readArgument } from '../errors';
import { readOptions, type KeepAliveOptions } from '../options';
import { requirePeer } from './peer';
import { keepAliveSocketWith } from '../keepalive';

/** undici's connector: connects, then calls back with the socket (undici's `buildConnector.connector`). */
export type UndiciConnector = (
  options: object,
  callback: (...result: [null, net.Socket] | [Error, null]) => void,
) => unknown;

/** undici's `buildConnector` options (TLS options, `timeout`, `keepAliveInitialDelay`, ...). */
export type UndiciConnectOptions = Record<string, unknown>;

interface Undici {
  buildConnector(options: UndiciConnectOptions): UndiciConnector;
}

/**
 * Returns an undici connector that configures keepalive on each new connection before undici
 * uses it. `connect` is either undici's connect options (a connector is built with undici's
 * `buildConnector`) or a connector of your own to wrap.
 */
export function keepAliveUndiciConnect(
  options: KeepAliveOptions,
  connect: UndiciConnectOptions | UndiciConnector = {},
): UndiciConnector {
  const config = readOptions(options);
  let connector: UndiciConnector;
  if (typeof connect === 'function') {
    connector = connect;
  } else if (typeof connect === 'object' && connect !== null) {
    const undici = requirePeer<Undici>('undici', 'keepAliveUndiciConnect');
    // undici turns keepalive on with a 60 s idle before connect; make its idle ours.
    const idle = config.given.idle !== undefined ? { keepAliveInitialDelay: config.given.idle } : {};
    connector = undici.buildConnector({ ...idle, ...readArgument('connect', () => ({ ...connect })) });
  } else {
    throw invalidArgType('connect', 'undici connect options (an object) or a connector function', connect);
  }
  return function keepAliveConnector(connectOptions, callback) {
    return connector(connectOptions, (...result) => {
      if (result[0] !== null) {
        callback(result[0], null);
        return;
      }
      const socket = result[1];
      try {
        keepAliveSocketWith(socket, config);
      } catch (failure) {
        socket.destroy();
        callback(failure as Error, null);
        return;
      }
      callback(null, socket);
    });
  };
}
