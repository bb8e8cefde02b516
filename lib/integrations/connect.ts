// connect / tlsConnect: net.connect and tls.connect with the keepalive configuration applied
// before any 'connect' listener runs (and after Node's own `keepAlive: true` handling), kept
// through Node's later setKeepAlive calls.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { planFromOptions, type KeepAliveOptions } from '../options';
import { keepAliveSocket } from '../keepalive';

/** `net.connect(options)` whose socket carries `keepAlive` from its 'connect' event on. */
export function connect(
  options: net.NetConnectOpts,
  keepAlive: KeepAliveOptions,
  connectListener?: () => void,
): net.Socket {
  planFromOptions(keepAlive); // bad options throw before anything connects
  const socket = net.connect(options);
  keepAliveSocket(socket, keepAlive);
  if (connectListener) socket.once('connect', connectListener);
  return socket;
}

/** `tls.connect(options)` whose socket carries `keepAlive` from its 'connect' event on. */
export function tlsConnect(
  options: tls.ConnectionOptions,
  keepAlive: KeepAliveOptions,
  secureConnectListener?: () => void,
): tls.TLSSocket {
  planFromOptions(keepAlive);
  const socket = tls.connect(options);
  keepAliveSocket(socket, keepAlive);
  if (secureConnectListener) socket.once('secureConnect', secureConnectListener);
  return socket;
}
