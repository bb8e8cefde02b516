// Every public entry point of the package, described for the hardening and property tests: how to
// call it with a value in each argument position (the other positions get valid values from the
// context), and how to clean up what a successful call returns (agents, monitors, sockets).
import * as http from 'node:http';
import * as net from 'node:net';
import * as lib from '../../lib';

/** Live, valid values the entry points get in the positions not under test. */
export interface Context {
  /** A connected loopback client socket (its kernel state may change; tests read it back). */
  socket: net.Socket;
  /** A listening TCP server. */
  server: net.Server;
  /** A monitor for the method entry points (closed by the test). */
  monitor: lib.KeepAliveMonitor;
  /** A port nothing listens on (connect / tlsConnect targets). */
  closedPort: number;
}

/** What kind of value an argument position takes (for choosing generators). */
export type Role =
  | 'target' // a socket or server
  | 'socket'
  | 'server'
  | 'options' // keepalive options
  | 'connectOptions' // net/tls connect options
  | 'settings' // keepAliveAgent settings
  | 'undiciConnect'
  | 'wss'
  | 'url'
  | 'agentOptions'
  | 'listener'
  | 'monitorOptions'
  | 'sockets'
  | 'everywhereSettings'
  | 'envValue'
  | 'envName'
  | 'none';

export interface EntryPoint {
  /** The export (or `monitor#method`). */
  name: string;
  roles: Role[];
  /** Valid value for each position, used where the position is not under test. */
  valid(ctx: Context, position: number): unknown;
  call(ctx: Context, args: unknown[]): unknown;
  /** Releases whatever a successful call returned. */
  cleanup?(result: unknown): void;
}

const VALID_OPTIONS = { idle: 1000 };

function destroySocket(result: unknown): void {
  if (result instanceof net.Socket) {
    result.on('error', () => undefined);
    result.destroy();
  }
}

function destroyAgent(result: unknown): void {
  const agent = (result as { agent?: unknown } | null)?.agent ?? result;
  if (agent instanceof http.Agent) agent.destroy();
}

function closeHandle(result: unknown): void {
  const close = (result as { close?: unknown } | null)?.close;
  if (typeof close === 'function') Reflect.apply(close, result, []);
}

function closeMonitor(result: unknown): void {
  if (result instanceof lib.KeepAliveMonitor) result.close();
}

function validFor(role: Role, ctx: Context): unknown {
  switch (role) {
    case 'target':
    case 'socket':
      return ctx.socket;
    case 'server':
      return ctx.server;
    case 'options':
      return VALID_OPTIONS;
    case 'connectOptions':
      return { port: ctx.closedPort, host: '127.0.0.1' };
    case 'settings':
      return {};
    case 'undiciConnect':
      return {};
    case 'wss':
      return { on: () => undefined };
    case 'url':
      return 'ws://127.0.0.1:1';
    case 'agentOptions':
      return undefined;
    case 'listener':
      return undefined;
    case 'monitorOptions':
      return { interval: 1000 };
    case 'sockets':
      return [ctx.socket];
    case 'everywhereSettings':
      return { clients: false, servers: false };
    case 'envValue':
      return 'idle=30s,count=4';
    case 'envName':
      return 'TCP_KEEPALIVE';
    case 'none':
      return undefined;
  }
}

function entry(
  name: string,
  roles: Role[],
  call: (ctx: Context, args: unknown[]) => unknown,
  cleanup?: (result: unknown) => void,
): EntryPoint {
  return { name, roles, valid: (ctx, position) => validFor(roles[position], ctx), call, cleanup };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const any = lib as any;

export const ENTRY_POINTS: EntryPoint[] = [
  entry('setKeepAlive', ['target', 'options'], (_c, a) => any.setKeepAlive(...a)),
  entry('getKeepAlive', ['target'], (_c, a) => any.getKeepAlive(...a)),
  entry('getTcpInfo', ['target'], (_c, a) => any.getTcpInfo(...a)),
  entry('capabilities', ['none'], (_c, a) => any.capabilities(...a)),
  entry('snapshot', ['sockets'], (_c, a) => any.snapshot(...a)),
  entry('getKeepAliveTimer', ['socket'], (_c, a) => any.getKeepAliveTimer(...a)),
  entry('monitor', ['monitorOptions'], (_c, a) => any.monitor(...a), closeMonitor),
  entry('KeepAliveMonitor', ['monitorOptions'], (_c, a) => new any.KeepAliveMonitor(...a), closeMonitor),
  entry('monitor#add', ['socket'], (c, a) => c.monitor.add(...(a as [net.Socket]))),
  entry('monitor#addServer', ['server'], (c, a) => c.monitor.addServer(...(a as [net.Server]))),
  entry('monitor#remove', ['socket'], (c, a) => c.monitor.remove(...(a as [net.Socket]))),
  entry('monitor#explain', ['socket'], (c, a) => c.monitor.explain(...(a as [net.Socket]))),
  entry('explain', ['socket'], (_c, a) => any.explain(...a)),
  entry('keepAliveSocket', ['socket', 'options'], (_c, a) => any.keepAliveSocket(...a)),
  entry('releaseKeepAlive', ['socket'], (_c, a) => any.releaseKeepAlive(...a)),
  entry('keptKeepAlive', ['socket'], (_c, a) => any.keptKeepAlive(...a)),
  entry('keepAliveServer', ['server', 'options'], (_c, a) => any.keepAliveServer(...a)),
  entry('keepAliveAgent', ['options', 'settings'], (_c, a) => any.keepAliveAgent(...a), destroyAgent),
  entry('connect', ['connectOptions', 'options', 'listener'], (_c, a) => any.connect(...a), destroySocket),
  entry('tlsConnect', ['connectOptions', 'options', 'listener'], (_c, a) => any.tlsConnect(...a), destroySocket),
  entry('keepAliveUndiciConnect', ['options', 'undiciConnect'], (_c, a) => any.keepAliveUndiciConnect(...a)),
  entry('keepAliveWebSocketServer', ['wss', 'options'], (_c, a) => any.keepAliveWebSocketServer(...a)),
  entry('keepAliveWebSocketClient', ['url', 'options', 'agentOptions'], (_c, a) => any.keepAliveWebSocketClient(...a), destroyAgent),
  entry('keepAliveStream', ['options'], (_c, a) => any.keepAliveStream(...a)),
  // Process-wide: a successful call is closed again at once (cleanup), before anything connects.
  entry('keepAliveEverywhere', ['options', 'everywhereSettings'], (_c, a) => any.keepAliveEverywhere(...a), closeHandle),
  entry('parseKeepAliveEnv', ['envValue', 'envName'], (_c, a) => any.parseKeepAliveEnv(...a)),
];
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Names of the package's runtime exports that are callable (functions and classes). */
export function exportedCallables(): string[] {
  return Object.keys(lib)
    .filter((key) => typeof (lib as Record<string, unknown>)[key] === 'function')
    .sort();
}

/** The export names the table covers (monitor methods excluded). */
export function coveredExports(): string[] {
  return [...new Set(ENTRY_POINTS.map((e) => e.name).filter((name) => !name.includes('#')))].sort();
}

/** Builds the argument list with `value` at `position` and valid values elsewhere. */
export function argsWith(point: EntryPoint, ctx: Context, position: number, value: unknown): unknown[] {
  return point.roles.map((_, i) => (i === position ? value : point.valid(ctx, i)));
}

/**
 * Calls the entry point; returns the thrown error or undefined, cleaning up a successful
 * call's result. Synchronous throws only: the async side (sockets) is handled by cleanup.
 */
export function invoke(point: EntryPoint, ctx: Context, args: unknown[]): { threw: boolean; error?: unknown } {
  let result: unknown;
  try {
    result = point.call(ctx, args);
  } catch (error) {
    return { threw: true, error };
  }
  try {
    point.cleanup?.(result);
  } catch {
    // cleanup of a hostile result: not the package's behaviour under test
  }
  return { threw: false };
}
