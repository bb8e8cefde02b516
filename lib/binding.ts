// Loads the native core (a prebuild from prebuilds/, else a local build in build/).
import { join } from 'node:path';

/** What the native layer reports when a syscall failed (errno is positive). */
export interface NativeFailure {
  errno: number;
  syscall: string;
  option: string;
}

/**
 * Each call takes (socket, state): `state[0]` carries the socket's identity in (0 = unknown)
 * and out; later slots carry results. A call returns undefined on success.
 */
export interface NativeBinding {
  apply(
    socket: number,
    state: Float64Array,
    mask: number,
    enable: number,
    idle: number,
    interval: number,
    count: number,
    userTimeout: number,
  ): NativeFailure | undefined;
  read(socket: number, state: Float64Array): NativeFailure | undefined;
  tcpInfo(socket: number, state: Float64Array, buffer: Uint8Array): NativeFailure | undefined;
  /** Walks this thread's libuv loop for the TCP handle with these addresses (peer null: a
   * listener); true and state[1] = its OS socket when found. */
  locate(localAddress: string, localPort: number, peerAddress: string | null, peerPort: number, state: Float64Array): boolean;
  /** Feature bits (keepalive.h enum Feature) of the options the running OS accepts. */
  probe(): number;
  fieldCount: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as (dir: string) => unknown;

export const native = load(join(__dirname, '..')) as NativeBinding;

/** Slots in the state array passed to every native call. */
export const STATE_SLOTS = 8;
