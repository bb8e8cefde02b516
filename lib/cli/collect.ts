// What `watch` shows: the TCP connections of one process (one dump per family) with the
// keepalive settings of each, read from the descriptor (another process's via pidfd_getfd).
import type { NativeFailure } from '../binding';
import { AF_INET, AF_INET6, diagNative } from '../diag';
import type { KeepAliveSettings } from '../keepalive';
import { limits } from '../platform';
import { dumpByInode, processSocketInodes, type ConnectionState } from '../snapshot';
import { native, STATE_SLOTS } from '../binding';

export interface WatchRow extends ConnectionState {
  fd: number;
  /** null when the settings could not be read (no rights over the process, or a race). */
  settings: KeepAliveSettings | null;
}

const scratch = new Float64Array(STATE_SLOTS);

function readSettings(pid: number | 'self', fd: number, inode: number): KeepAliveSettings | null {
  scratch.fill(0);
  scratch[0] = inode; // the descriptor must still be this socket
  let failure: NativeFailure | undefined;
  if (pid === 'self' || pid === process.pid) failure = native.read(fd, scratch);
  else if (diagNative.foreignKeepAlive) failure = diagNative.foreignKeepAlive(pid, fd, scratch);
  else return null;
  if (failure) return null;
  return {
    enable: scratch[1] !== 0,
    idle: scratch[2] * limits.idleUnitMs,
    interval: scratch[3] * limits.intervalUnitMs,
    count: scratch[4],
    userTimeout: scratch[5] * limits.userTimeoutUnitMs,
  };
}

/** The connections of `pid`, optionally only those with `port` as local or remote port. */
export function collect(pid: number | 'self', port?: number): WatchRow[] {
  const inodes = processSocketInodes(pid);
  const states = dumpByInode([AF_INET, AF_INET6], (inode) => inodes.has(inode));
  const rows: WatchRow[] = [];
  for (const state of states.values()) {
    if (port !== undefined && state.localPort !== port && state.remotePort !== port) continue;
    const fd = inodes.get(state.inode) as number;
    rows.push({ ...state, fd, settings: readSettings(pid, fd, state.inode) });
  }
  return rows.sort((a, b) => a.localPort - b.localPort || a.remotePort - b.remotePort);
}
