// Benchmark 1: configure one connection. This package vs Node's socket.setKeepAlive vs
// net-keepalive vs the floor (the same setsockopt calls from a C++ loop).
import * as netKeepAlive from 'net-keepalive';
import * as net from 'node:net';
import { setKeepAlive, type KeepAliveOptions } from '../lib';
import { compare, ratio, timeOps, type Measurement } from './harness';
import { loadFloor } from './floor';
import { openConnection } from './connection';
import { main, ns, table, times, type Section, type Target } from './report';

const IDLE_MS = 60_000;
// Every contender alternates idle between two values: Node returns early when setKeepAlive is
// called again with unchanged arguments, which would measure nothing.
const idleAt = (i: number): number => IDLE_MS + (i & 1) * 1000;

const ALL_FIELDS = 0b11111;
const NODE_FIELDS = 0b01111; // Node 20 sets SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL=1 s, TCP_KEEPCNT=10

function describe(name: string, m: Measurement, floor: Measurement, packageFloor: Measurement): string[] {
  return [name, ns(m.median), times(ratio(m, floor)), times(ratio(m, packageFloor))];
}

async function run(): Promise<Section> {
  const floor = loadFloor();
  const { client, fd, close } = await openConnection();
  // setKeepAlive(client, ...) of this package gives the socket an own setKeepAlive that keeps our
  // options through Node's calls; Node's contenders call Node's own method, as on a plain socket.
  const nodeSetKeepAlive = (enable: boolean, delay: number): unknown => net.Socket.prototype.setKeepAlive.call(client, enable, delay);
  const ours = (options: KeepAliveOptions) => {
    const plans = [0, 1].map((i) => ({ ...options, idle: idleAt(i) }));
    return (ops: number) => timeOps(ops, (i) => setKeepAlive(client, plans[i & 1]));
  };
  // The floor gets the same values in kernel units (s, s, probes, ms) and alternates idle too.

  const five = compare({
    ours: ours({ enable: true, interval: 10_000, count: 5, userTimeout: 30_000 }),
    netKeepAlive: (ops) =>
      timeOps(ops, (i) => {
        // net-keepalive's documented use: Node for enable + idle, then its own setters.
        nodeSetKeepAlive(true, idleAt(i));
        netKeepAlive.setKeepAliveInterval(client, 10_000);
        netKeepAlive.setKeepAliveProbes(client, 5);
        netKeepAlive.setUserTimeout(client, 30_000);
      }),
    floor: (ops) => floor.set(fd, ops, ALL_FIELDS, 1, 60, 10, 5, 30_000),
    packageFloor: (ops) => floor.applyLikePackage(fd, ops, ALL_FIELDS, 1, 60, 10, 5, 30_000),
  });
  const four = compare({
    ours: ours({ enable: true, interval: 1000, count: 10 }),
    node: (ops) => timeOps(ops, (i) => nodeSetKeepAlive(true, idleAt(i))),
    floor: (ops) => floor.set(fd, ops, NODE_FIELDS, 1, 60, 1, 10, 0),
    packageFloor: (ops) => floor.applyLikePackage(fd, ops, NODE_FIELDS, 1, 60, 1, 10, 0),
  });
  close();

  const oursVsFloor5 = ratio(five.ours, five.floor);
  const oursVsFloor4 = ratio(four.ours, four.floor);
  const why = (m: Record<string, Measurement>): string =>
    'before writing, the package checks the socket identity (fstat; it guards against a recycled descriptor, ' +
    `so it stays): that syscall sequence alone, from C++, is ${times(ratio(m.packageFloor, m.floor))} the floor; ` +
    `JavaScript validation and the N-API call add ${times(ratio(m.ours, m.packageFloor))} on top of it`;
  const targets: Target[] = [
    { what: 'configure 5 options vs setsockopt floor', measured: oursVsFloor5, limit: 1.5, explanation: why(five) },
    { what: 'configure as Node does (4 options) vs setsockopt floor', measured: oursVsFloor4, limit: 1.5, explanation: why(four) },
    { what: 'net-keepalive vs this package (5 options; higher = we are ahead)', measured: ratio(five.netKeepAlive, five.ours), limit: Infinity },
  ];
  const header = ['Contender', 'median ns/op', 'x setsockopt floor', 'x package syscall floor'];
  return {
    title: '1. Configure one connection',
    lines: [
      '**All five options** (enable, idle, interval, count, userTimeout):',
      '',
      ...table(header, [
        describe('tcp-keepalive `setKeepAlive(socket, {...5})`', five.ours, five.floor, five.packageFloor),
        describe('net-keepalive (`socket.setKeepAlive` + 3 setters)', five.netKeepAlive, five.floor, five.packageFloor),
        describe('floor: 5 x setsockopt, C++ loop', five.floor, five.floor, five.packageFloor),
        describe('package syscall floor: fstat + 5 x setsockopt, C++ loop', five.packageFloor, five.floor, five.packageFloor),
      ]),
      '',
      `net-keepalive / tcp-keepalive: **${times(ratio(five.netKeepAlive, five.ours))}**.`,
      '',
      `Where the ${ns(five.ours.median)} ns of one 5-option call go: ${ns(five.floor.median)} ns the five writes themselves, ` +
        `${ns(five.packageFloor.median - five.floor.median)} ns the safety syscall (fstat for the socket identity; ` +
        `no rollback reads since the values are validated against the kernel's exact ranges), ` +
        `${ns(five.ours.median - five.packageFloor.median)} ns JavaScript ` +
        '(validation, rounding, handle lookup) and the one N-API crossing.',
      '',
      "**Node's option set** (`socket.setKeepAlive(true, ms)` on Node 20 writes SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL = 1 s, TCP_KEEPCNT = 10):",
      '',
      ...table(header, [
        describe('tcp-keepalive `setKeepAlive(socket, {...4})`', four.ours, four.floor, four.packageFloor),
        describe("Node `socket.setKeepAlive(true, ms)`", four.node, four.floor, four.packageFloor),
        describe('floor: 4 x setsockopt, C++ loop', four.floor, four.floor, four.packageFloor),
        describe('package syscall floor: fstat + 4 x setsockopt', four.packageFloor, four.floor, four.packageFloor),
      ]),
      '',
      `tcp-keepalive / Node: **${times(ratio(four.ours, four.node))}** (Node validates nothing beyond the delay, reads nothing back and has no rollback).`,
    ],
    targets,
  };
}

main(run);
