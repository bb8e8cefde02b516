// What a call acts on: classifies the argument (a net.Socket, tls.TLSSocket or listening
// net.Server, never a Proxy) and finds its OS socket now, guarding against a descriptor number
// that has been given to another connection.
import * as net from 'node:net';
import {
  invalidArgType, invalidArgValue, notATcpSocket, optionsUnreadable, socketClosed, socketHandedOff, socketNotConnected,
} from './errors';
import { knownIdentity, locate, type OsSocket } from './native';
import {
  cachedAddresses, constructedByNode, handleFd, handleOf, isProxy, kernelAddresses, lostItsHandle, type NodeAddress, type NodeHandle,
} from './node-internals';

export type Target = net.Socket | net.Server;

const TARGET_TYPES = 'an instance of net.Socket, tls.TLSSocket or net.Server';
const SOCKET_TYPES = 'an instance of net.Socket or tls.TLSSocket';

// A Proxy forwards property reads but not always method calls (http2's session.socket throws
// ERR_HTTP2_NO_SOCKET_MANIPULATION): refused before anything is read or written.
function refuseProxy(name: string, value: unknown, expected: string): void {
  if (isProxy(value)) {
    throw invalidArgType(
      name,
      `${expected}, not a Proxy (for http2, configure the socket before http2 wraps it: keepAliveServer(server), or connect() as createConnection)`,
      value,
    );
  }
}

/** `value instanceof type`, where a proxy's getPrototypeOf trap may throw (then: not an instance). */
function isInstance(value: unknown, type: typeof net.Socket | typeof net.Server): boolean {
  try {
    return value instanceof type && constructedByNode(value);
  } catch {
    return false;
  }
}

/**
 * Classifies the argument; throws ERR_INVALID_ARG_TYPE for anything that is not a TCP endpoint
 * made by Node. Calls that write (and keep) refuse proxies; reads may go through one (`reading`),
 * as they only read properties, which a proxy passes through (see readThrough).
 */
export function checkTarget(target: unknown, name = 'socket', reading = false): Target {
  if (!reading) refuseProxy(name, target, TARGET_TYPES);
  if (isInstance(target, net.Socket) || isInstance(target, net.Server)) return target as Target;
  throw notAnEndpoint(name, TARGET_TYPES, target);
}

/** Like checkTarget, for the calls that take sockets only. */
export function checkSocket(socket: unknown, name = 'socket', reading = false): net.Socket {
  if (!reading) refuseProxy(name, socket, SOCKET_TYPES);
  if (isInstance(socket, net.Socket)) return socket as net.Socket;
  throw notAnEndpoint(name, SOCKET_TYPES, socket);
}

function notAnEndpoint(name: string, expected: string, value: unknown): Error {
  let prototypeOnly = false;
  try {
    prototypeOnly = value instanceof net.Socket || value instanceof net.Server;
  } catch {
    prototypeOnly = false;
  }
  // Object.create(net.Socket.prototype): the prototype, but never constructed by Node.
  return invalidArgType(name, prototypeOnly ? `${expected} made by its constructor (not only its prototype)` : expected, value);
}

/**
 * Runs a read on `target`; when it is a proxy whose traps throw (revoked, hostile), the error
 * becomes a coded one. Errors of the package keep their code.
 */
export function readThrough<T>(target: unknown, name: string, read: () => T): T {
  if (!isProxy(target)) return read();
  try {
    return read();
  } catch (error) {
    if (typeof (error as { code?: unknown } | null)?.code === 'string') throw error;
    throw optionsUnreadable(name, error);
  }
}

// Addresses of sockets whose platform gives no inode (macOS, FreeBSD): compared at every call.
const recordedAddresses = new WeakMap<object, { local: NodeAddress; peer: NodeAddress }>();

function sameAddress(expected: NodeAddress | undefined, now: NodeAddress): boolean {
  return !expected || (expected.address === now.address && expected.port === now.port);
}

/**
 * Before a socket's first native call (and at every call where the OS has no inode): the
 * connection the kernel has on the descriptor must be the one Node recorded for the object.
 */
function checkStillOurs(socket: net.Socket, handle: NodeHandle): void {
  const identity = knownIdentity(handle);
  if (identity) return; // the native layer compares the inode
  const now = kernelAddresses(handle);
  if (!now) return; // not connected yet: nothing recorded that could differ
  const expected = recordedAddresses.get(handle) ?? cachedAddresses(socket);
  if (!sameAddress(expected.local, now.local) || !sameAddress(expected.peer, now.peer)) {
    throw socketClosed('The socket (its descriptor now belongs to another connection)');
  }
  if (!recordedAddresses.has(handle)) recordedAddresses.set(handle, now);
}

function serverSocket(server: net.Server): OsSocket {
  const handle = handleOf(server);
  if (!handle || !server.listening) throw socketClosed('The server');
  const fd = handleFd(handle);
  if (fd === undefined) {
    throw invalidArgType('server', 'a server with its own listening socket (cluster workers have none)', server);
  }
  if (fd >= 0) return { fd, handle, kind: 'server' };
  const address = server.address();
  const located = address && typeof address === 'object' ? locate(address.address, address.port, null, 0) : undefined;
  if (located === undefined) throw notInThisLoop('server');
  return { fd: located, handle, kind: 'server' };
}

function notInThisLoop(kind: 'socket' | 'server'): Error {
  return invalidArgValue(kind, "has no TCP handle in this thread's event loop (use it from the thread that created it)");
}

// Windows: Node reports fd -1 for every TCP handle; the SOCKET is found by walking this thread's
// libuv loop once per handle and kept for the handle's life (the identity check catches a close).
const locatedSockets = new WeakMap<object, number>();

function locateSocket(socket: net.Socket, handle: object): number | undefined {
  const known = locatedSockets.get(handle);
  if (known !== undefined) return known;
  const { localAddress, localPort, remoteAddress, remotePort } = socket;
  if (!localAddress || !remoteAddress || !localPort || !remotePort) return undefined;
  const found = locate(localAddress, localPort, remoteAddress, remotePort);
  if (found !== undefined) locatedSockets.set(handle, found);
  return found;
}

/**
 * The OS socket of `target` now, or null when a socket will have one once it connects (not
 * connected yet, or resolving its host). Throws ERR_SOCKET_CLOSED for destroyed sockets, sockets
 * handed to another process and servers that are not listening; ERR_INVALID_ARG_TYPE for sockets
 * with no OS TCP socket (IPC pipes, TLS over a JavaScript stream).
 */
export function resolve(target: Target): OsSocket | null {
  if (target instanceof net.Server) return serverSocket(target);
  if (target.destroyed) throw socketClosed('The socket');
  const handle = handleOf(target);
  if (!handle) {
    if (lostItsHandle(target)) throw socketHandedOff();
    return null;
  }
  const fd = handleFd(handle);
  if (fd === undefined) throw notATcpSocket('socket');
  if (fd >= 0) {
    checkStillOurs(target, handle);
    return { fd, handle, kind: 'socket' };
  }
  if (target.connecting) return null; // resolving its host: the descriptor comes with the connect
  if (process.platform === 'win32') {
    const located = locateSocket(target, handle);
    if (located === undefined) throw notInThisLoop('socket');
    return { fd: located, handle, kind: 'socket' };
  }
  throw notATcpSocket('socket', 'it runs over a stream that has no OS socket, e.g. TLS over a Duplex');
}

/** Like resolve(), but a socket without a descriptor is an error. */
export function resolveNow(target: Target): OsSocket {
  const os = resolve(target);
  if (!os) throw socketNotConnected();
  return os;
}

/**
 * The OS socket of a socket being destroyed (inside node-internals beforeDestroy, descriptor still open),
 * or null; never throws.
 */
export function resolveClosing(socket: net.Socket): OsSocket | null {
  const handle = handleOf(socket);
  const fd = handle ? handleFd(handle) : undefined;
  if (!handle || fd === undefined) return null;
  if (fd >= 0) return { fd, handle, kind: 'socket' };
  const located = process.platform === 'win32' ? locatedSockets.get(handle) : undefined;
  return located === undefined ? null : { fd: located, handle, kind: 'socket' };
}
