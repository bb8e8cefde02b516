// The fault cases of the dead-peer matrix. Each builds its own namespaces, breaks the path in one
// way, and returns what it measured; tests assert on it, the report script tabulates it.
// Host a runs the side under test, host b its peer (roles swap only in inheritedBothEnds).
import { withTopology, type CutMethod } from '../helpers/netns';
import type { AgentEvent } from '../helpers/agent';
import {
  connect, connectAgents, detectionBound, probeSequence, sleep, tcpInfo, type KeepAliveConfig, type TcpInfoLite,
} from './scenario';

/** The fast configuration used by most cases: bound 2 + 3 x 1 = 5 s. */
export const FAST: KeepAliveConfig = { idle: 2000, interval: 1000, count: 3 };

export interface Detection {
  /** ms from the last data received to the socket's error; null when nothing was detected. */
  detectedMs: number | null;
  code: string | null;
  /** getTcpInfo().probes values seen while probing (0 dropped at the start). */
  probes: number[];
  /** ms after the last data received at which each of those probe counts was first seen. */
  probeTimes: number[];
  /** TcpExt.TCPKeepAlive delta in host a's namespace: probes the kernel sent. */
  probesSent: number;
  /** State of the socket under test at the end when it did not fail. */
  finalInfo?: TcpInfoLite;
}

function detection(error: AgentEvent | null, probesSent: number, finalInfo?: TcpInfoLite): Detection {
  return {
    detectedMs: error ? error.sinceLastReceive! : null,
    code: error ? error.code ?? null : null,
    ...probeSequence(error),
    probesSent,
    finalInfo,
  };
}

/**
 * Cases 1, 6 and the control: the peer vanishes silently while the connection is idle.
 * Waits up to the bound + `graceMs` (keepalive off: the FAST bound + grace).
 */
export async function silentPeer(
  method: CutMethod,
  keepAlive: KeepAliveConfig | undefined,
  graceMs = 2000,
): Promise<Detection & { dropped?: number }> {
  const router = method === 'blackhole';
  return withTopology({ router }, async (t) => {
    const c = await connect(t, t.a, t.b, keepAlive);
    // Let the ACK of the echo leave first, so a drop counter sees only probes (and the final RST).
    await sleep(100);
    const before = t.a.ns.keepAliveProbesSent();
    t.cut(method);
    const window = detectionBound(keepAlive && keepAlive.enable !== false ? keepAlive : FAST) + graceMs;
    const error = await c.host.errorOf(c.sock, window);
    const finalInfo = error ? undefined : await tcpInfo(c.host, c.sock);
    const result = detection(error, t.a.ns.keepAliveProbesSent() - before, finalInfo);
    return method === 'drop' ? { ...result, dropped: t.b.ns.nftCounter('dropped') } : result;
  });
}

/**
 * Case 2: the peer host rebooted. Its outbound packets are dropped while its socket is reset and
 * destroyed (so the RST never arrives and no state is left), then the path is healed: the next
 * keepalive probe reaches a host without the connection, which answers with RST.
 */
export async function peerRebooted(keepAlive: KeepAliveConfig = FAST): Promise<Detection & { hiddenResets: number }> {
  return withTopology({}, async (t) => {
    const c = await connect(t, t.a, t.b, keepAlive);
    const before = t.a.ns.keepAliveProbesSent();
    t.cut('drop-output');
    await c.peer.request('resetAndDestroy', { sock: c.peerSock });
    await c.peer.expectEvent('peer socket closed', (e) => e.event === 'close' && e.sock === c.peerSock, 2000);
    const hiddenResets = t.b.ns.nftCounter('dropped');
    t.heal();
    const error = await c.host.errorOf(c.sock, detectionBound(keepAlive) + 2000);
    return { ...detection(error, t.a.ns.keepAliveProbesSent() - before), hiddenResets };
  });
}

/**
 * Case 3: a router between the hosts answers host-unreachable once the peer is gone. With
 * `inFlightBytes`, data is written after the cut (so the ICMP errors quote in-window segments);
 * the time is then measured from that write.
 */
export async function hostUnreachable(
  keepAlive: KeepAliveConfig = FAST,
  inFlightBytes = 0,
): Promise<Detection & { icmpUnreachable: number; icmpIgnored: number }> {
  return withTopology({ router: true }, async (t) => {
    const c = await connect(t, t.a, t.b, keepAlive);
    const before = t.a.ns.keepAliveProbesSent();
    const icmpBefore = t.a.ns.counters('Icmp').InDestUnreachs;
    const ignoredBefore = t.a.ns.counters('TcpExt').OutOfWindowIcmps;
    t.cut('host-unreachable');
    const write = inFlightBytes ? await c.host.request<{ at: number }>('write', { sock: c.sock, bytes: inFlightBytes }) : null;
    const bound = keepAlive.userTimeout && inFlightBytes ? keepAlive.userTimeout : detectionBound(keepAlive);
    const error = await c.host.errorOf(c.sock, bound + 2000);
    const result = detection(error, t.a.ns.keepAliveProbesSent() - before);
    if (write && error) result.detectedMs = (error.at as number) - write.at;
    return {
      ...result,
      icmpUnreachable: t.a.ns.counters('Icmp').InDestUnreachs - icmpBefore,
      icmpIgnored: t.a.ns.counters('TcpExt').OutOfWindowIcmps - ignoredBefore,
    };
  });
}

export interface Outage {
  /** Highest probe count reached while the path was cut. */
  peakProbes: number;
  /** ms after the last data received at which probes returned to 0 (a probe was answered). */
  recoveredMs: number | null;
  /** Error seen on the socket within the bound + 1 s (expected: none). */
  errorCode: string | null;
  echoAfterHeal: boolean;
  finalInfo: TcpInfoLite;
}

/** Case 4: an outage shorter than interval x count: probes are lost, then one is answered. */
export async function temporaryOutage(keepAlive: KeepAliveConfig = FAST, lostProbes = 2): Promise<Outage> {
  return withTopology({}, async (t) => {
    const c = await connect(t, t.a, t.b, keepAlive);
    t.cut('drop');
    const probing = (e: AgentEvent): boolean => e.event === 'probes' && e.sock === c.sock && e.probes! >= lostProbes;
    const peak = await c.host.expectEvent(`${lostProbes} probes out`, probing, detectionBound(keepAlive));
    t.heal();
    const recovered = await c.host.waitFor(
      (e) => e.event === 'probes' && e.sock === c.sock && e.probes === 0 && (e.at as number) > (peak.at as number),
      keepAlive.interval! * 2 + 1000,
    );
    // Stay past the moment the connection would have died had the path stayed cut.
    const { sinceLastReceive } = await c.host.request<{ sinceLastReceive: number }>('status', { sock: c.sock });
    await sleep(Math.max(0, detectionBound(keepAlive) + 1000 - sinceLastReceive));
    const error = c.host.events.find((e) => e.event === 'error' && e.sock === c.sock) ?? null;
    const finalInfo = await tcpInfo(c.host, c.sock);
    const peakProbes = Math.max(...c.host.events.filter((e) => e.event === 'probes').map((e) => e.probes!));
    const { echoed } = await c.host.request<{ echoed: boolean }>('ping', { sock: c.sock, timeoutMs: 2000 });
    return { peakProbes, recoveredMs: recovered ? recovered.sinceLastReceive! : null, errorCode: error?.code ?? null, echoAfterHeal: echoed, finalInfo };
  });
}

export interface InFlight {
  /** ms from the write to the error; null when still hanging at the cut-off. */
  detectedMs: number | null;
  code: string | null;
  /** RTO before the write (ms): the first retransmission's delay. */
  initialRto: number;
  probesSent: number;
  /** TCP_INFO at the cut-off when the socket survived. */
  finalInfo?: TcpInfoLite;
}

/** Case 5: data is unacknowledged when the peer vanishes; keepalive is configured either way. */
export async function dataInFlight(keepAlive: KeepAliveConfig, cutoffMs: number): Promise<InFlight> {
  return withTopology({}, async (t) => {
    const c = await connect(t, t.a, t.b, keepAlive);
    const initialRto = (await tcpInfo(c.host, c.sock)).rto;
    const before = t.a.ns.keepAliveProbesSent();
    t.cut('drop');
    const { at } = await c.host.request<{ at: number }>('write', { sock: c.sock, bytes: 1000 });
    const error = await c.host.errorOf(c.sock, cutoffMs);
    const finalInfo = error ? undefined : await tcpInfo(c.host, c.sock);
    return {
      detectedMs: error ? (error.at as number) - at : null,
      code: error?.code ?? null,
      initialRto,
      probesSent: t.a.ns.keepAliveProbesSent() - before,
      finalInfo,
    };
  });
}

export interface Middlebox {
  /** Echo after the long idle period, per connection. */
  echoWithKeepAlive: boolean;
  echoWithout: boolean;
  /** Packets the middlebox dropped because it had forgotten their flow. */
  untrackedDropped: number;
  /** Keepalive probes sent during the idle period (all from the keepalive connection). */
  probesSent: number;
  /** Retransmissions of the ping on the connection without keepalive. */
  retransmitsWithout: number;
}

/**
 * Case 7: a conntrack middlebox forgets flows idle for `timeoutSec`. Two connections through
 * it idle for `idleMs`: one with keepalive probing faster than the timeout, one without.
 */
export async function middlebox(keepAlive: KeepAliveConfig, timeoutSec: number, idleMs: number): Promise<Middlebox> {
  return withTopology({ router: true }, async (t) => {
    t.middlebox(timeoutSec);
    const peer = await t.agent(t.b);
    const host = await t.agent(t.a);
    const kept = await connectAgents(host, peer, t.b.address, keepAlive);
    const bare = await connectAgents(host, peer, t.b.address, undefined);
    const before = t.a.ns.keepAliveProbesSent();
    await sleep(idleMs);
    const probesSent = t.a.ns.keepAliveProbesSent() - before;
    const [withKa, without] = await Promise.all(
      [kept, bare].map((c) => host.request<{ echoed: boolean }>('ping', { sock: c.sock, timeoutMs: 1500 })),
    );
    const retransmitsWithout = (await tcpInfo(host, bare.sock)).retransmits;
    return {
      echoWithKeepAlive: withKa.echoed,
      echoWithout: without.echoed,
      untrackedDropped: t.router!.nftCounter('untracked'),
      probesSent,
      retransmitsWithout,
    };
  });
}

export interface EndResult {
  detectedMs: number | null;
  code: string | null;
  /** getKeepAlive() of this end's socket, read back from the kernel. */
  readBack: KeepAliveConfig;
}

/**
 * Case 8: host a listens with keepalive set on the net.Server (accepted sockets inherit it),
 * host b connects with keepalive set on the client socket; a partition silences both ways.
 */
export async function inheritedBothEnds(
  serverKeepAlive: KeepAliveConfig,
  clientKeepAlive: KeepAliveConfig,
): Promise<{ server: EndResult; client: EndResult }> {
  return withTopology({}, async (t) => {
    // The client runs on b and connects to the server on a.
    const c = await connect(t, t.b, t.a, clientKeepAlive, serverKeepAlive);
    const serverSide = { agent: c.peer, sock: c.peerSock };
    const clientSide = { agent: c.host, sock: c.sock };
    const readBacks = await Promise.all(
      [serverSide, clientSide].map((end) => end.agent.request<KeepAliveConfig>('getKeepAlive', { sock: end.sock })),
    );
    t.cut('partition');
    const window = Math.max(detectionBound(serverKeepAlive), detectionBound(clientKeepAlive)) + 2000;
    const errors = await Promise.all([serverSide, clientSide].map((end) => end.agent.errorOf(end.sock, window)));
    const result = (i: number): EndResult => ({
      detectedMs: errors[i] ? errors[i]!.sinceLastReceive! : null,
      code: errors[i]?.code ?? null,
      readBack: readBacks[i],
    });
    return { server: result(0), client: result(1) };
  });
}
