// What `watch` shows: the TCP connections of one process (one dump per family) with the
// keepalive settings of each, read from the descriptor (another process's via pidfd_getfd).
import { AF_INET, AF_INET6 } from '../diag';
import { readValuesOf } from '../native';
import { dumpByInode, processSocketInodes, type ConnectionState } from '../snapshot';
import { settingsFromUnits, type KeepAliveSettings } from '../units';

export interface WatchRow extends ConnectionState {
  fd: number;
  /** null when the settings could not be read (no rights over the process, or a race). */
  settings: KeepAliveSettings | null;
}

function readSettings(pid: number | 'self', fd: number, inode: number): KeepAliveSettings | null {
  // The descriptor must still be the socket with this inode.
  const values = readValuesOf(pid, fd, inode);
  return values ? settingsFromUnits(values) : null;
}

/** The connections of `pid`, optionally only those with `port` as local or remote port. */
export function collect(pid: number | 'self', port?: number): WatchRow[] {
  const inodes = processSocketInodes(pid);
  const states = dumpByInode([AF_INET, AF_INET6], (inode) => inodes.has(inode));
  const rows: WatchRow[] = [];
  for (const state of states.values()) {
    if (port !== undefined && state.localPort !== port && state.remotePort !== port) continue;
    const fd = inodes.get(state.inode) as number;
    rows.push({ ...state, tcpInfo: state.tcpInfo, fd, settings: readSettings(pid, fd, state.inode) }); // tcpInfo: a getter
  }
  return rows.sort((a, b) => a.localPort - b.localPort || a.remotePort - b.remotePort);
}
