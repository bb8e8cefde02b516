// Every error this package throws or emits is made here, with a Node-style `code`.
import { getSystemErrorMap } from 'node:util';

export type ErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_SOCKET_CLOSED'
  | 'ERR_SOCKET_NOT_CONNECTED'
  | 'ERR_MONITOR_CLOSED';

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

function coded<E extends Error>(error: E, code: string): E & CodedError {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return error as E & CodedError;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name ? `an instance of ${name}` : 'an object';
  }
  if (typeof value === 'string') return `type string ('${value.length > 25 ? value.slice(0, 25) + '...' : value}')`;
  return `type ${typeof value} (${String(value)})`;
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
