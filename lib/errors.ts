// Every error this package throws or emits is made here, with a Node-style `code`.
import { getSystemErrorMap, types } from 'node:util';

/** The package's own codes; system errors carry the errno name instead (e.g. 'EINVAL'). */
export type ErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_SOCKET_CLOSED'
  | 'ERR_SOCKET_NOT_CONNECTED'
  | 'ERR_MONITOR_CLOSED'
  | 'MODULE_NOT_FOUND';

export interface CodedError extends Error {
  code: string;
}

/** A failed syscall: `code` is the errno name, `errno` is negative as in Node's own errors. */
export interface SystemError extends CodedError {
  errno: number;
  syscall: string;
  /** The socket option the syscall was about, e.g. 'TCP_KEEPCNT'. */
  option?: string;
}

function coded<E extends Error>(error: E, code: ErrorCode | SystemCode): E & CodedError {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return error as E & CodedError;
}

/** An errno name ('EINVAL', ...): the code of a system error. */
type SystemCode = string & { readonly errnoName?: never };

/** A name that is a non-empty string, else undefined (names can be symbols, getters can throw). */
function nameOf(read: () => unknown): string | undefined {
  try {
    const name = read();
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Describes a received value for a message. Never throws, whatever the value (proxies included). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (types.isProxy(value)) return 'a Proxy';
  if (typeof value === 'function') return `function ${nameOf(() => value.name) ?? '<anonymous>'}`;
  if (typeof value === 'object') {
    const name = nameOf(() => (value as { constructor?: { name?: unknown } }).constructor?.name);
    return name ? `an instance of ${name}` : 'an object';
  }
  if (typeof value === 'string') return `type string ('${value.length > 25 ? value.slice(0, 25) + '...' : value}')`;
  if (typeof value === 'symbol') return `type symbol (${value.toString()})`;
  return `type ${typeof value} (${String(value)}${typeof value === 'bigint' ? 'n' : ''})`;
}

export function invalidArgType(name: string, expected: string, actual: unknown): TypeError & CodedError {
  return coded(
    new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(actual)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

export function invalidArgValue(name: string, reason: string): TypeError & CodedError {
  return coded(new TypeError(`The argument "${name}" ${reason}`), 'ERR_INVALID_ARG_VALUE');
}

export function outOfRange(name: string, range: string, received: unknown): RangeError & CodedError {
  return coded(
    new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(received)}`),
    'ERR_OUT_OF_RANGE',
  );
}

export function socketClosed(what: string): CodedError {
  return coded(new Error(`${what} is closed (destroyed, or not listening)`), 'ERR_SOCKET_CLOSED');
}

/** Reading an argument threw (a getter or proxy trap of the caller's): the cause is kept. */
export function optionsUnreadable(name: string, cause: unknown): TypeError & CodedError {
  let detail: string;
  try {
    detail = cause instanceof Error ? cause.message : String(cause);
  } catch {
    detail = 'an unprintable value was thrown';
  }
  const error = invalidArgValue(name, `could not be read: ${detail}`);
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return error;
}

/**
 * Runs a read of a caller's argument: an error thrown by the caller's own code (a getter, a proxy
 * trap) comes out coded, as ERR_INVALID_ARG_VALUE with the thrown error as `cause`.
 */
export function readArgument<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (typeof (error as { code?: unknown } | null)?.code === 'string') throw error;
    throw optionsUnreadable(name, error);
  }
}

/** A socket, TLS socket or server that has no OS TCP socket to act on. */
export function notATcpSocket(kind: 'socket' | 'server', detail = 'not IPC, UDP or a pipe'): TypeError & CodedError {
  return coded(new TypeError(`The "${kind}" argument must be a TCP ${kind} (${detail})`), 'ERR_INVALID_ARG_TYPE');
}

/** A socket whose descriptor was handed to another process (child.send): nothing left to configure. */
export function socketHandedOff(): CodedError {
  return coded(
    new Error('The socket is closed in this process: its descriptor was sent to another process'),
    'ERR_SOCKET_CLOSED',
  );
}

export function socketNotConnected(): CodedError {
  return coded(
    new Error('The socket has no OS socket yet (not connected, or still resolving its host); read it after "connect"'),
    'ERR_SOCKET_NOT_CONNECTED',
  );
}

/** Builds the error for an errno reported by the native layer (a positive errno value). */
export function systemError(errnoValue: number, syscall: string, option?: string): SystemError {
  const negative = -Math.abs(errnoValue);
  const [name, text] = getSystemErrorMap().get(negative) ?? [`Unknown system error ${negative}`, 'unknown error'];
  const subject = option ? `${syscall} ${option}` : syscall;
  const error = coded(new Error(`${subject} failed: ${name} (${text})`), name) as SystemError;
  error.errno = negative;
  error.syscall = syscall;
  if (option) error.option = option;
  return error;
}

/** An optional peer dependency (undici, ws) that a helper needs is not installed. */
export function peerMissing(name: string, feature: string, cause: unknown): CodedError {
  const error = coded(
    new Error(`${feature} needs the optional peer dependency "${name}": install it with \`npm install ${name}\``),
    'MODULE_NOT_FOUND',
  );
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return error;
}

/** A call on a monitor after close(). */
export function monitorClosed(): CodedError {
  return coded(new Error('The monitor is closed; create a new one with monitor()'), 'ERR_MONITOR_CLOSED');
}

/**
 * The running OS has no such option (e.g. TCP_KEEPCNT on Windows before 10 1703): a system-style
 * ENOPROTOOPT error, thrown before any syscall so nothing is half-applied.
 */
export function optionNotSupported(field: string, option: string): SystemError {
  let errnoValue = 0;
  for (const [value, [name]] of getSystemErrorMap()) {
    if (name === 'ENOPROTOOPT') errnoValue = value;
  }
  const error = coded(
    new Error(
      `setsockopt ${option} failed: ENOPROTOOPT (this ${process.platform} system cannot set "${field}"; see capabilities())`,
    ),
    'ENOPROTOOPT',
  ) as SystemError;
  error.errno = errnoValue;
  error.syscall = 'setsockopt';
  error.option = option;
  return error;
}

/**
 * An environment variable (TCP_KEEPALIVE) the preload could not read: names the variable and the
 * one part that is wrong, e.g. `TCP_KEEPALIVE: "interval=5x": unknown unit "x" (use ms, s or m)`.
 */
export function malformedEnvironment(variable: string, part: string, reason: string): TypeError & CodedError {
  return coded(new TypeError(`${variable}: "${part}": ${reason}`), 'ERR_INVALID_ARG_VALUE');
}
