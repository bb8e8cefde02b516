// Every use of Node's private surface, one function per assumption. Each was checked on Node
// 20.20, 22.23, 24.21 and 26.10 and is pinned by test/api/node-internals.test.ts, so a Node
// upgrade that breaks one fails that test by name instead of the package.
import type * as net from 'node:net';
import { types } from 'node:util';
import { invalidArgValue } from './errors';

/** A libuv handle wrapper (TCPWrap, TLSWrap, Pipe, ...) as JavaScript sees it. */
export interface NodeHandle {
  fd?: unknown;
  getsockname?(out: object): number;
  getpeername?(out: object): number;
}

/** An address as Node reports it (`_getsockname()`, `handle.getpeername(out)`). */
export interface NodeAddress {
  address?: string;
  port?: number;
  family?: string;
}

type Emit = (this: net.Socket, event: string | symbol, ...args: unknown[]) => boolean;
type SetKeepAlive = (this: net.Socket, ...args: unknown[]) => net.Socket;
type Destroy = (this: net.Socket, error: Error | null, callback: (error?: Error | null) => void) => void;

/** `socket._handle` / `server._handle`: the libuv handle, null before connect/listen and after close. */
export function handleOf(target: net.Socket | net.Server): NodeHandle | null {
  const handle = (target as unknown as { _handle?: NodeHandle | null })._handle;
  return handle ?? null;
}

/**
 * `handle.fd`: the descriptor (POSIX), -1 while resolving or always on Windows, and not a number
 * on handles with no OS socket (a cluster worker's listener, a TLS socket over a JS stream has -1).
 */
export function handleFd(handle: NodeHandle): number | undefined {
  return typeof handle.fd === 'number' ? handle.fd : undefined;
}

/**
 * The addresses the kernel holds now for the handle's socket (`handle.getsockname(out)`,
 * `handle.getpeername(out)`: one syscall each), or undefined where they cannot be read.
 */
export function kernelAddresses(handle: NodeHandle): { local: NodeAddress; peer: NodeAddress } | undefined {
  if (typeof handle.getsockname !== 'function' || typeof handle.getpeername !== 'function') return undefined;
  const local: NodeAddress = {};
  const peer: NodeAddress = {};
  if (handle.getsockname(local) !== 0 || handle.getpeername(peer) !== 0) return undefined;
  return { local, peer };
}

/**
 * The addresses Node cached for the socket (`_sockname`, `_peername`, filled by the first read of
 * localAddress / remoteAddress): Node's own record of which connection the object is.
 */
export function cachedAddresses(socket: net.Socket): { local?: NodeAddress; peer?: NodeAddress } {
  const record = socket as unknown as { _sockname?: NodeAddress | null; _peername?: NodeAddress | null };
  return { local: record._sockname ?? undefined, peer: record._peername ?? undefined };
}

/**
 * Whether a socket without a handle once had one that was taken away while it stayed open: sent
 * to another process (`child.send('socket', s)` nulls `_handle` without destroying the socket).
 * Node gives a socket an async id from its first handle; one never connected keeps -1.
 */
export function lostItsHandle(socket: net.Socket): boolean {
  if (handleOf(socket) !== null || socket.destroyed || socket.connecting) return false;
  const symbol = asyncIdSymbol(socket);
  if (symbol === undefined) return false;
  const id = (socket as unknown as Record<symbol, unknown>)[symbol];
  return typeof id === 'number' && id >= 0;
}

let cachedAsyncIdSymbol: symbol | undefined;
function asyncIdSymbol(socket: net.Socket): symbol | undefined {
  if (cachedAsyncIdSymbol) return cachedAsyncIdSymbol;
  cachedAsyncIdSymbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'async_id_symbol');
  return cachedAsyncIdSymbol;
}

/**
 * The raw net.Socket under a TLSSocket (`_parent`: set for TLS over an existing socket, e.g. the
 * server side of tls.Server, where the raw socket owns the TCP handle until the handshake), or null.
 */
export function tlsTransportOf(socket: net.Socket): net.Socket | null {
  const parent = (socket as unknown as { _parent?: unknown })._parent;
  return typeof parent === 'object' && parent !== null && parent !== socket && 'destroyed' in parent ? (parent as net.Socket) : null;
}

/**
 * Whether Node's constructor made the object: a socket has its own `_readableState` (the stream
 * constructor), a server its own `_connections` (a number). `Object.create(net.Socket.prototype)` passes
 * instanceof but was never constructed and can never connect.
 */
export function constructedByNode(target: object): boolean {
  // Read (not hasOwn): a proxy passes reads through to the socket it stands for (http2).
  const record = target as { _readableState?: unknown; _connections?: unknown };
  return (typeof record._readableState === 'object' && record._readableState !== null) || typeof record._connections === 'number';
}

/** Defines an own property of a socket; a frozen or sealed socket gets a coded error instead. */
function defineOwn(socket: net.Socket, key: 'emit' | 'setKeepAlive' | '_destroy', value: unknown): void {
  if (!Object.isExtensible(socket) || Object.getOwnPropertyDescriptor(socket, key)?.configurable === false) {
    throw invalidArgValue('socket', `is frozen or sealed: its "${key}" cannot be wrapped`);
  }
  Object.defineProperty(socket, key, { value, writable: true, configurable: true, enumerable: false });
}

/** A Proxy in place of the real object (http2 sessions hand out their socket as one). */
export function isProxy(value: unknown): boolean {
  return types.isProxy(value);
}

/** `server.keepAlive`: Node's own keepAlive server option, which writes idle/1 s/10 per accepted socket. */
export function serverAppliesNodeKeepAlive(server: net.Server): boolean {
  return (server as unknown as { keepAlive?: unknown }).keepAlive === true;
}

/** ws's WebSocketServer keeps the http server it listens on (its own, or the `server` option) in `_server`. */
export function webSocketHttpServer(wss: object): unknown {
  return (wss as { _server?: unknown })._server;
}

// ---- "run this when the socket connects": one mechanism, an own `emit` that composes ----------

interface ConnectHook {
  /** Runs before any 'connect' listener; throwing destroys the socket with that error. */
  beforeConnect: (socket: net.Socket) => void;
  /** Set after a failed beforeConnect: the 'ready' Node emits right after 'connect' is dropped. */
  dropReady: boolean;
}

const connectHooks = new WeakMap<net.Socket, ConnectHook>();

/**
 * Makes `beforeConnect` run at every 'connect' of the socket (a reconnected socket object emits
 * it again), before the listeners, and after Node's own connect-time keepalive. If it throws, the
 * socket is destroyed with the error and neither 'connect' nor 'ready' is emitted. Implemented
 * with an own `emit` that stays installed and passes everything else through, so a wrapper other
 * code installs later is never removed. Installing again replaces the callback only.
 */
export function onEveryConnect(socket: net.Socket, beforeConnect: (socket: net.Socket) => void): void {
  const known = connectHooks.get(socket);
  if (known) {
    known.beforeConnect = beforeConnect;
    return;
  }
  const hook: ConnectHook = { beforeConnect, dropReady: false };
  const inner = socket.emit as Emit;
  const emitAfterConfiguring = function (this: net.Socket, event: string | symbol): boolean {
    if (event === 'connect') {
      hook.dropReady = false;
      try {
        hook.beforeConnect(this);
      } catch (error) {
        hook.dropReady = true;
        this.destroy(error as Error);
        return false;
      }
    } else if (event === 'ready' && hook.dropReady) {
      hook.dropReady = false;
      return false;
    }
    // eslint-disable-next-line prefer-rest-params -- passes the arguments on without copying them
    return Reflect.apply(inner, this, arguments) as boolean;
  };
  defineOwn(socket, 'emit', emitAfterConfiguring);
  connectHooks.set(socket, hook);
}

// ---- an own `setKeepAlive` that follows Node's ------------------------------------------------

interface OwnSetKeepAlive {
  /** Called in place of Node's method while active; `next` is what the socket had before. */
  impl: (socket: net.Socket, next: SetKeepAlive, args: unknown[]) => net.Socket;
  active: boolean;
  wrapper: SetKeepAlive;
}

const ownSetKeepAlive = new WeakMap<net.Socket, OwnSetKeepAlive>();

/**
 * Installs (or re-activates) an own `socket.setKeepAlive` that runs `impl` with the method it
 * replaced. Its `length` is that of the method it wraps (2, or 4 where Node has the 4-argument
 * form), since callers feature-detect by it.
 */
export function wrapSetKeepAlive(
  socket: net.Socket,
  impl: (socket: net.Socket, next: SetKeepAlive, args: unknown[]) => net.Socket,
): void {
  const known = ownSetKeepAlive.get(socket);
  if (known) {
    known.impl = impl;
    known.active = true;
    return;
  }
  const next = socket.setKeepAlive as unknown as SetKeepAlive;
  const entry: OwnSetKeepAlive = {
    impl,
    active: true,
    wrapper: function setKeepAlive(this: net.Socket, ...args: unknown[]): net.Socket {
      return entry.active ? entry.impl(this, next, args) : (Reflect.apply(next, this, args) as net.Socket);
    },
  };
  Object.defineProperty(entry.wrapper, 'length', { value: next.length, configurable: true });
  defineOwn(socket, 'setKeepAlive', entry.wrapper);
  ownSetKeepAlive.set(socket, entry);
}

/**
 * Stops the own `setKeepAlive`: removed when it is still the socket's method, otherwise (another
 * wrapper was installed over it) left in place as a plain pass-through to Node's.
 */
export function unwrapSetKeepAlive(socket: net.Socket): void {
  const entry = ownSetKeepAlive.get(socket);
  if (!entry) return;
  entry.active = false;
  const descriptor = Object.getOwnPropertyDescriptor(socket, 'setKeepAlive');
  if (descriptor?.value === entry.wrapper && descriptor.configurable) {
    delete (socket as { setKeepAlive?: unknown }).setKeepAlive;
    ownSetKeepAlive.delete(socket);
  }
}

// ---- `_destroy`: the last moment the descriptor is open -----------------------------------------

/**
 * Runs `before(socket, error)` inside Node's `_destroy`, while the descriptor is still open (for a
 * read error: synchronously in the read callback, after the kernel aborted the connection).
 * `before` must not throw; destroy always proceeds.
 */
export function beforeDestroy(socket: net.Socket, before: (socket: net.Socket, error: Error | null) => void): void {
  const original = (socket as unknown as { _destroy: Destroy })._destroy;
  const wrapped: Destroy = function (this: net.Socket, error, callback) {
    try {
      before(this, error);
    } finally {
      Reflect.apply(original, this, [error, callback]);
    }
  };
  defineOwn(socket, '_destroy', wrapped);
}

// ---- the process-wide policy: where client and accepted sockets can be caught ----------------

/**
 * Whether diagnostics_channel `net.client.socket` is published at the top of
 * `Socket.prototype.connect` (nodejs/node#58349: Node 22.17+, 24.2+, 25+), so it also announces
 * `new net.Socket().connect()` and `tls.connect()`. Before that (Node 20, 22.0-22.16, 23, 24.0-24.1)
 * only `net.connect()` publishes it. Checked on Node 20.20, 22.23, 24.22 and 26.12.
 */
export function clientChannelAtEveryConnect(version: string = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major >= 25 || (major === 24 && minor >= 2) || (major === 22 && minor >= 17);
}

/** `socket.server`: the net.Server that accepted the socket (Node's onconnection sets it). */
export function acceptingServer(socket: net.Socket): net.Server | undefined {
  const server = (socket as unknown as { server?: unknown }).server;
  return server !== null && typeof server === 'object' ? (server as net.Server) : undefined;
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;

interface ConnectWrapper {
  original: Connect;
  wrapper: Connect;
  hook: ((socket: net.Socket) => void) | null;
}

let connectWrapper: ConnectWrapper | undefined;

/**
 * Runs `hook(socket)` at the top of every `net.Socket.prototype.connect` call (every client TCP,
 * TLS and Unix socket of this thread: `net.connect`, `new Socket().connect`, `tls.connect`), the
 * way tracing instrumentations do; `hook` must not throw. Returns the uninstaller: the original
 * method is put back when the wrapper is still in place, otherwise (other code wrapped it since)
 * the wrapper stays as a plain pass-through and is reused by the next install. Checked on Node
 * 20.20, 22.23, 24.22 and 26.12 (`connect` is an own, writable property of the prototype).
 */
export function beforeEverySocketConnect(socketClass: typeof net.Socket, hook: (socket: net.Socket) => void): () => void {
  const proto = socketClass.prototype as unknown as { connect: Connect };
  if (!connectWrapper) {
    const original = proto.connect;
    const entry: ConnectWrapper = {
      original,
      hook: null,
      wrapper: function connect(this: net.Socket) {
        if (entry.hook) entry.hook(this);
        // eslint-disable-next-line prefer-rest-params -- passes the arguments on without copying them
        return Reflect.apply(original, this, arguments) as net.Socket;
      },
    };
    Object.defineProperty(entry.wrapper, 'length', { value: original.length, configurable: true });
    connectWrapper = entry;
    proto.connect = entry.wrapper;
  } else if (proto.connect === connectWrapper.original) {
    // The code that had wrapped over ours put Node's method back: ours goes on top again.
    proto.connect = connectWrapper.wrapper;
  }
  const entry = connectWrapper;
  entry.hook = hook;
  return () => {
    if (entry.hook !== hook) return;
    entry.hook = null;
    if (proto.connect === entry.wrapper) {
      proto.connect = entry.original;
      connectWrapper = undefined;
    }
  };
}

/** Whether `net.Socket.prototype.connect` is Node's own method (no wrapper of ours left). */
export function socketConnectIsNodes(socketClass: typeof net.Socket): boolean {
  return connectWrapper === undefined || socketClass.prototype.connect !== (connectWrapper.wrapper as unknown);
}
