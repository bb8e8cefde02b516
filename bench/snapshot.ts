// Snapshot of N connections and a monitor tick over N watched connections, each against the raw
// C dump of the same kernel query (bench/native/floor.cc `dump`: socket, send, recv until DONE,
// close; no parsing, no copy), at N = 100, 2,000, 10,000; 50,000 in bench/snapshot-spread.ts.
// Runs in a private network namespace (unshare -rn). Writes bench/RESULTS-snapshot.md.
import * as net from 'node:net';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare, ratio, type Contender, type Measurement } from './harness';
import { table, times, type Target } from './report';
import { loadFloor } from './floor';
import { snapshot, getTcpInfo, monitor } from '../lib/index';
import { AF_INET, CONNECTION_STATES, buildRequest } from '../lib/diag';
import { dumpByInode, inodeOf, portFilter } from '../lib/snapshot';
import { parseSs } from '../test/helpers/ss';
import { connectUpTo, startPeerServer } from '../test/helpers/many-connections';

const SIZES = [100, 2000, 10000];
const ISOLATED = 'TCPKA_BENCH_NETNS';

export function reexecIsolated(file: string): never {
  // Node cannot raise its own open-file limit; 10,000 connections need it above the usual 1024.
  const script = 'ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ip link set lo up && exec "$@"';
  const args = ['-rn', 'sh', '-c', script, 'sh', process.execPath, ...process.execArgv, file, ...process.argv.slice(2)];
  const result = spawnSync('unshare', args, { stdio: 'inherit', env: { ...process.env, [ISOLATED]: '1' } });
  process.exit(result.status ?? 1);
}

/** CPU time (user + system, this process) of `ops` operations, in ns per operation: on this shared
 *  2-core machine, time spent preempted is not counted against either side of a ratio. */
export const cpu = (operation: () => unknown, collectFirst = false): Contender => (ops) => {
  // For the heavy reference contenders: a full collection first, outside the measure, so the
  // garbage of the one before (a 7 MB ArrayBuffer, ss's text) is not charged to this one.
  if (collectFirst) (globalThis as { gc?: () => void }).gc?.();
  const start = process.cpuUsage();
  for (let i = 0; i < ops; i++) operation();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / ops;
};

const ms = (ns: number): string => (ns / 1e6 >= 100 ? (ns / 1e6).toFixed(0) : (ns / 1e6).toFixed(2));
const us = (ns: number): string => (ns / 1e3).toFixed(2);

/** The request the package builds for these sockets (same family, states, TCP_INFO, port filter). */
function sameQuery(clients: net.Socket[]): Uint8Array {
  const local = new Map(clients.map((c) => [c.localPort as number, 0]));
  const remote = new Map(clients.map((c) => [c.remotePort as number, 0]));
  return buildRequest(AF_INET, CONNECTION_STATES, true, undefined, portFilter(local, remote));
}

/** Before this change: the whole unfiltered dump copied to JavaScript, walked there, TCP_INFO decoded for each match. */
function before(clients: net.Socket[]): void {
  const wanted = new Set(clients.map((c) => inodeOf(c)));
  for (const state of dumpByInode([AF_INET], (inode) => wanted.has(inode)).values()) void state.tcpInfo?.rtt;
}

async function main(): Promise<void> {
  const floor = loadFloor();
  const { peer, port } = await startPeerServer();
  const clients: net.Socket[] = [];
  const snapRows: string[][] = [];
  const tickRows: string[][] = [];
  const targets: Target[] = [];
  const perConnection: number[] = [];
  const floorPerConnection: number[] = [];
  for (const size of SIZES) {
    await connectUpTo(port, clients, size);
    if (snapshot(clients).length !== size) throw new Error(`snapshot saw fewer than ${size} connections`);
    const query = sameQuery(clients);
    const unfiltered = buildRequest(AF_INET, CONNECTION_STATES, true);
    const watcher = monitor({ interval: 2 ** 31 - 1 });
    clients.forEach((c) => watcher.add(c));
    watcher.tick(); // first sight of every socket: all reported once
    const timerTick = (): unknown => (watcher as unknown as { poll(all: boolean): unknown }).poll(false);
    const rounds = size >= 10000 ? 11 : 21;
    // The package and its floors in one group, in steady state (as an application calls them);
    // the heavy references in another, each after a full collection.
    const result: Record<string, Measurement> = compare(
      {
        snapshot: cpu(() => snapshot(clients)),
        snapshotRead: cpu(() => snapshot(clients).forEach((s) => void s.tcpInfo?.rtt)),
        floor: cpu(() => floor.dump(query, 1)),
        tick: cpu(timerTick),
        fullTick: cpu(() => watcher.tick()),
      },
      { rounds, warmupRounds: 2, opsPerRound: 1 },
    );
    Object.assign(result, compare(
      {
        before: cpu(() => before(clients), true),
        floorUnfiltered: cpu(() => floor.dump(unfiltered, 1), true),
        ss: cpu(() => parseSs(execFileSync('ss', ['-tinoH'], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 })), true),
        getTcpInfo: cpu(() => clients.forEach((c) => getTcpInfo(c)), true),
        floorAgain: cpu(() => floor.dump(query, 1), true),
      },
      { rounds: Math.ceil(rounds / 2), warmupRounds: 1, opsPerRound: 1 },
    ));
    watcher.close();
    const snap = ratio(result.snapshot, result.floor);
    const tick = ratio(result.tick, result.floor);
    perConnection.push(result.snapshot.median / size);
    floorPerConnection.push(result.floor.median / size);
    snapRows.push([
      size.toLocaleString('en-US'), ms(result.snapshot.median), us(result.snapshot.median / size), ms(result.floor.median), times(snap),
      times(ratio(result.snapshotRead, result.floor)), ms(result.before.median), times(ratio(result.before, result.floorAgain)),
      ms(result.floorUnfiltered.median), ms(result.ss.median), ms(result.getTcpInfo.median),
    ]);
    tickRows.push([size.toLocaleString('en-US'), ms(result.tick.median), ms(result.floor.median), times(tick), ms(result.fullTick.median), times(ratio(result.fullTick, result.floor))]);
    if (size >= 2000) {
      targets.push({ what: `snapshot(sockets) of ${size.toLocaleString('en-US')} vs raw C dump of the same query`, measured: snap, limit: 1.5, explanation: 'above the floor: copying the matched records (360 bytes each) into a fresh ArrayBuffer the lazy states keep, the per-socket loop, N state objects (see the profile notes below the table)' });
    }
    if (size === 10000) targets.push({ what: 'monitor tick, 10,000 idle watched vs raw C dump of the same query', measured: tick, limit: 1.2, explanation: 'see the profile notes below the table' });
    process.stderr.write(`snapshot bench: N=${size} done\n`);
  }
  for (const client of clients) client.destroy();
  peer.kill();

  const flat = perConnection[2] / perConnection[1];
  const floorFlat = floorPerConnection[2] / floorPerConnection[1];
  targets.push({
    what: 'snapshot cost per connection, 10,000 vs 2,000 (1.00x = flat)',
    measured: flat,
    limit: 1.2,
    explanation: `the kernel's own cost per connection (the floor) grows ${times(floorFlat)} over the same range; the rest is V8 at this size: 10,000 state objects and a 3.6 MB ArrayBuffer per call outlive the young generation (GC, 5% of the --cpu-prof profile)`,
  });
  const lines = [
    '## Snapshot and monitor tick of N connections',
    '',
    '_Generated by `npm run bench:snapshot` (bench/snapshot.ts; also run by `npm run bench`)._',
    '',
    `Method: N loopback connections held by this process, their peers in a child process, all in a private network namespace (unshare -rn): the kernel tables hold 2N connections plus one listener. Every contender runs once per round in rotating order (2 warm-up rounds, then 21 rounds, 11 at N = 10,000), in two groups: the package and its floor in steady state (as an application calls them, each paying for the collections its own garbage causes), then the heavy references (0.1.0's algorithm, ss, N × getTcpInfo, the unfiltered dump, the floor again) each after a full collection outside the measure, so that their garbage is not charged to their neighbours ("before / floor" uses the floor of that second group); figures are the **CPU time** (user + system) of this process per call, medians; ratios are medians of per-round ratios. CPU time, not wall time: the machine (2 cores) is shared, and time spent preempted would land on either side at random. The floor is bench/native/floor.cc \`dump\`: the same request bytes (family, states, INET_DIAG_INFO, the same port bytecode) sent from C, every datagram received into one reused buffer until NLMSG_DONE, nothing parsed or copied. Node ${process.version}, Linux ${execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim()}.`,
    '',
    '### snapshot(sockets)',
    '',
    ...table(['N', 'snapshot ms', 'µs / connection', 'raw C dump, same query ms', 'snapshot / floor', 'snapshot + read every tcpInfo / floor', 'before (0.1.0 algorithm) ms', 'before / floor', 'raw C dump without port filter ms', '`ss -tino` + parse ms', 'N × getTcpInfo ms'], snapRows),
    '',
    '### Monitor tick over N idle watched connections',
    '',
    ...table(['N', 'timer tick ms', 'raw C dump, same query ms', 'tick / floor', 'tick() (all states returned) ms', 'tick() / floor'], tickRows),
    '',
    `Cost per connection of snapshot(sockets) at 10,000 is ${times(flat)} that at 2,000 (the floor's: ${times(floorFlat)}).`,
    '',
    '### What the time goes to (profiles)',
    '',
    '- **Before** (0.1.0, column "before"): the whole dump (2N records, ~7 MB at N = 10,000, both ends of every loopback connection) was copied into one ArrayBuffer, walked record by record in TypeScript, and every match got a fresh 56-field TCP_INFO object. `decodeTcpInfo` alone measured ~5 µs per record here (a 56-property literal; node --cpu-prof), more than the kernel\'s ~1.4 µs per record.',
    '- **Now**: (1) the request carries inet_diag bytecode on the side with few distinct ports (here: remote port == the server\'s), so the kernel fills only our N records; (2) C++ (`sockDiagMatch`, src-native/diag_linux.cc) matches records to the asked inodes with an open-addressing table and copies only the matches; (3) `tcpInfo` is a getter that decodes at first read; addresses are formatted once per distinct address; the per-socket inode/family/ports are cached per handle. callgrind (N = 2,000, 5 calls): `SockDiagMatch` executes 0.86 M user-space instructions per call (~430 per record: lookup, attribute walk, append) against 0.10 M for the floor\'s receive loop; a 64 KiB receive buffer and a per-thread output buffer whose pages stay mapped (a fresh 3.6 MB vector per call showed up as 25% of perf samples in memmove: page faults).',
    '- **What is left above the floor for snapshot(sockets)** (node --cpu-prof at N = 10,000: `sockDiagMatch` incl. the kernel 31%, the per-socket loop in `snapshot` 10%, GC 5%, the state objects <1%): system time for copying the N matched records (360 bytes each: header, inet_diag_msg, tcp_info) into a fresh ArrayBuffer that the lazily decoded states keep alive, and the N state objects. The monitor tick has neither (only changed records cross into JavaScript), hence its ratio near 1.',
    '',
  ];
  // The 50,000-connection table (bench/snapshot-spread.ts, its own run) follows when it exists.
  const spread = join(__dirname, 'RESULTS-spread.md');
  if (existsSync(spread)) lines.push(...readFileSync(spread, 'utf8').trim().split('\n'), '');
  writeFileSync(join(__dirname, 'RESULTS-snapshot.md'), lines.join('\n'));
  process.stdout.write(JSON.stringify({ lines, targets }));
}

if (require.main === module) {
  if (!process.env[ISOLATED]) reexecIsolated(__filename);
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}
