// Benchmark 2: read back. getKeepAlive and getTcpInfo (each including the object they return)
// vs the raw getsockopt floor from a C++ loop, and vs net-keepalive's getters.
import * as netKeepAlive from 'net-keepalive';
import { getKeepAlive, getTcpInfo } from '../lib';
import { compare, ratio, timeOps, type Measurement } from './harness';
import { loadFloor } from './floor';
import { openConnection } from './connection';
import { main, ns, table, times, type Section } from './report';

const ALL_FIELDS = 0b11111;

function row(name: string, m: Measurement, floor: Measurement, packageFloor: Measurement): string[] {
  return [name, ns(m.median), times(ratio(m, floor)), times(ratio(m, packageFloor))];
}

async function run(): Promise<Section> {
  const floor = loadFloor();
  const { client, fd, close } = await openConnection();
  // Values kept alive until the end of a round, so the object creation cannot be optimised away.
  let sink: unknown;
  const options = compare({
    ours: (ops) => timeOps(ops, () => (sink = getKeepAlive(client))),
    netKeepAlive: (ops) =>
      timeOps(ops, () => {
        // Its getters cover three of the five values (no enable, no idle).
        sink = [
          netKeepAlive.getKeepAliveInterval(client),
          netKeepAlive.getKeepAliveProbes(client),
          netKeepAlive.getUserTimeout(client),
        ];
      }),
    floor: (ops) => floor.get(fd, ops, ALL_FIELDS, 0, 0, 0, 0, 0),
    packageFloor: (ops) => floor.readLikePackage(fd, ops, ALL_FIELDS, 0, 0, 0, 0, 0),
  });
  const info = compare({
    ours: (ops) => timeOps(ops, () => (sink = getTcpInfo(client))),
    floor: (ops) => floor.tcpInfo(fd, ops, 0, 0, 0, 0, 0, 0),
    packageFloor: (ops) => floor.tcpInfoLikePackage(fd, ops, 0, 0, 0, 0, 0, 0),
  });
  close();
  if (sink === undefined) throw new Error('nothing was read');

  const header = ['Contender', 'median ns/op', 'x getsockopt floor', 'x package syscall floor'];
  const tcpInfoWhy =
    `one getsockopt(TCP_INFO) is cheap (${ns(info.floor.median)} ns, no socket lock), so fixed costs dominate: the identity ` +
    `check (fstat) makes the syscall sequence ${times(ratio(info.packageFloor, info.floor))} the floor, and the N-API call ` +
    `plus the 56-field object add ${times(ratio(info.ours, info.packageFloor))} on top of it`;
  return {
    title: '2. Read back',
    lines: [
      '**getKeepAlive** (five values, returned as an object):',
      '',
      ...table(header, [
        row('tcp-keepalive `getKeepAlive(socket)`', options.ours, options.floor, options.packageFloor),
        row('net-keepalive 3 getters (interval, probes, userTimeout)', options.netKeepAlive, options.floor, options.packageFloor),
        row('floor: 5 x getsockopt, C++ loop', options.floor, options.floor, options.packageFloor),
        row('package syscall floor: fstat + 5 x getsockopt', options.packageFloor, options.floor, options.packageFloor),
      ]),
      '',
      `net-keepalive (3 of the 5 values) / tcp-keepalive: **${times(ratio(options.netKeepAlive, options.ours))}**.`,
      '',
      '**getTcpInfo** (struct tcp_info decoded into an object; net-keepalive and Node have no equivalent):',
      '',
      ...table(header, [
        row('tcp-keepalive `getTcpInfo(socket)`', info.ours, info.floor, info.packageFloor),
        row('floor: getsockopt(TCP_INFO), C++ loop', info.floor, info.floor, info.packageFloor),
        row('package syscall floor: fstat + getsockopt(TCP_INFO)', info.packageFloor, info.floor, info.packageFloor),
      ]),
    ],
    targets: [
      { what: 'getKeepAlive incl. object vs getsockopt floor', measured: ratio(options.ours, options.floor), limit: 2 },
      { what: 'getTcpInfo incl. object vs getsockopt floor', measured: ratio(info.ours, info.floor), limit: 2, explanation: tcpInfoWhy },
    ],
  };
}

main(run);
