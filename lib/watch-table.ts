// The sockets a monitor watches, as the native matcher of lib/snapshot.ts wants them: one dump
// per tick, matched and compared with the last tick in C++, JavaScript only for what changed.
import type * as net from 'node:net';
import { AF_INET, AF_INET6, type PortFilter } from './diag';
import { dumpKeyOf, forEachState, matchDump, portFilter, type ConnectionState, type DumpKey } from './snapshot';

/**
 * The sockets a monitor watches, kept as the native matcher wants them (inode per slot, a change
 * summary per slot, the ports for a kernel-side filter), so that a tick costs one dump plus work
 * for what changed: nothing per idle socket in JavaScript.
 */
export class WatchTable {
  private sockets: net.Socket[] = [];
  private inodes = new Uint32Array(64);
  private summary = new Uint32Array(64);
  private readonly slots = new Map<net.Socket, number>();
  /** Watched sockets whose OS socket is not known yet (connecting). */
  private readonly pending = new Set<net.Socket>();
  private readonly localPorts = new Map<number, number>();
  private readonly remotePorts = new Map<number, number>();
  private readonly keys: DumpKey[] = [];
  private families = [0, 0]; // IPv4, IPv6 sockets
  private filter: PortFilter | undefined | null = null; // null: to be chosen again

  add(socket: net.Socket): void {
    if (!this.slots.has(socket)) this.pending.add(socket);
  }

  delete(socket: net.Socket): void {
    if (this.pending.delete(socket)) return;
    const slot = this.slots.get(socket);
    if (slot === undefined) return;
    this.slots.delete(socket);
    this.count(this.keys[slot], -1);
    const last = this.sockets.length - 1;
    if (slot !== last) {
      const moved = this.sockets[last];
      this.sockets[slot] = moved;
      this.keys[slot] = this.keys[last];
      this.inodes[slot] = this.inodes[last];
      this.summary[slot] = this.summary[last];
      this.slots.set(moved, slot);
    }
    this.sockets.pop();
    this.keys.pop();
  }

  /** Makes the next poll report this socket even if nothing changed (an episode in progress). */
  reportNext(socket: net.Socket): void {
    const slot = this.slots.get(socket);
    if (slot !== undefined) this.summary[slot] = 0;
  }

  /**
   * One dump per family in use; calls `visit` for the watched sockets whose state, timer, probe
   * count or unacknowledged data changed since the last poll (all of them with `all`), and for
   * those marked with reportNext().
   */
  poll(all: boolean, visit: (socket: net.Socket, state: ConnectionState) => void): void {
    for (const socket of this.pending) {
      let key: DumpKey | undefined;
      try {
        key = dumpKeyOf(socket);
      } catch {
        continue; // closed meanwhile: its 'close' removes it
      }
      if (key === undefined) continue;
      this.pending.delete(socket);
      this.place(socket, key);
    }
    const used = this.sockets.length;
    if (used === 0) return;
    if (this.filter === null) this.filter = this.localPorts.has(0) || this.remotePorts.has(0) ? undefined : portFilter(this.localPorts, this.remotePorts);
    const inodes = this.inodes.subarray(0, used);
    const summary = this.summary.subarray(0, used);
    const sockets = this.sockets;
    for (const family of [AF_INET, AF_INET6]) {
      if (this.families[family === AF_INET ? 0 : 1] === 0) continue;
      forEachState(matchDump(family, inodes, this.filter, summary, all), (slot, state) => visit(sockets[slot], state));
    }
  }

  private place(socket: net.Socket, key: DumpKey): void {
    const slot = this.sockets.length;
    if (slot === this.inodes.length) {
      const inodes = new Uint32Array(slot * 2);
      const summary = new Uint32Array(slot * 2);
      inodes.set(this.inodes);
      summary.set(this.summary);
      this.inodes = inodes;
      this.summary = summary;
    }
    this.sockets.push(socket);
    this.keys.push(key);
    this.inodes[slot] = key.inode;
    this.summary[slot] = 0; // first poll reports it
    this.slots.set(socket, slot);
    this.count(key, 1);
  }

  private count(key: DumpKey, delta: number): void {
    this.families[key.family === AF_INET6 ? 1 : 0] += delta;
    for (const [ports, port] of [[this.localPorts, key.localPort], [this.remotePorts, key.remotePort]] as const) {
      const n = (ports.get(port) ?? 0) + delta;
      if (n > 0) ports.set(port, n);
      else ports.delete(port);
      if (delta > 0 ? n === 1 : n === 0) this.filter = null; // the set of ports changed
    }
  }
}
