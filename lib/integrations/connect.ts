// connect / tlsConnect: net.connect and tls.connect with the keepalive configuration applied
// before any 'connect' listener runs (and after Node's own `keepAlive: true` handling), kept
// through Node's later setKeepAlive calls.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { readOptions, type KeepAliveConfig, type KeepAliveOptions } from '../options';
import { keepAliveSocketWith } from '../keepalive';

/** Configures a socket just created here; if that fails it is destroyed, never left open. */
function configured<S extends net.Socket>(socket: S, config: KeepAliveConfig): S {
  try {
    return keepAliveSocketWith(socket, config);
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

/** `net.connect(options)` whose socket carries `keepAlive` from its 'connect' event on. */
export function connect(
  options: net.NetConnectOpts,
  keepAlive: KeepAliveOptions,
  connectListener?: () => void,
): net.Socket {
  const config = readOptions(keepAlive); // read once: bad options throw before anything connects
  const socket = configured(net.connect(options), config);
  if (connectListener) socket.once('connect', connectListener);
  return socket;
}

/** `tls.connect(options)` whose socket carries `keepAlive` from its 'connect' event on. */
export function tlsConnect(
  options: tls.ConnectionOptions,
  keepAlive: KeepAliveOptions,
  secureConnectListener?: () => void,
): tls.TLSSocket {
  const config = readOptions(keepAlive);
  const socket = configured(tls.connect(options), config);
  if (secureConnectListener) socket.once('secureConnect', secureConnectListener);
  return socket;
}

/**
 * A factory of unconnected sockets that carry `keepAlive` from their 'connect' on, for drivers that
 * take a socket and call `connect()` on it themselves (pg's `stream` option: a socket from
 * `connect()` would fail there with EALREADY). Options are read once, here.
 */
export function keepAliveStream(keepAlive: KeepAliveOptions): () => net.Socket {
  const config = readOptions(keepAlive);
  return () => keepAliveSocketWith(new net.Socket(), config);
}
