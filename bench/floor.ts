// The bench-only native helper (bench/native/floor.cc): the same syscalls from a C++ loop.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** (fd, iterations, mask, enable, idle, interval, count, userTimeout) → ns per round. */
type FloorFunction = (fd: number, iterations: number, mask: number, ...values: number[]) => number;

export interface Floor {
  /** setsockopt of the fields in mask; idle alternates between idle and idle + 1 s. */
  set: FloorFunction;
  get: FloorFunction;
  tcpInfo: FloorFunction;
  /** The package's syscall sequence on Linux: fstat, then setsockopt (no rollback reads). */
  applyLikePackage: FloorFunction;
  /** fstat, then getsockopt of the fields in mask. */
  readLikePackage: FloorFunction;
  /** fstat, then getsockopt TCP_INFO. */
  tcpInfoLikePackage: FloorFunction;
  /** The raw C dump of an inet_diag request (socket, send, recv until DONE, close): ns per dump. */
  dump(request: Uint8Array, iterations: number): number;
}

const path = join(__dirname, 'native', 'build', 'Release', 'floor.node');

export function loadFloor(): Floor {
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run bench:build" first`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as Floor;
}
