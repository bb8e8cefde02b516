// The rows of the "What detection costs" table: each runs one fault case once and reports the
// detection time (ms, or null when nothing was detected) and the outcome.
import {
  FAST, dataInFlight, hostUnreachable, inheritedBothEnds, middlebox, peerRebooted, silentPeer, temporaryOutage,
} from '../test/faults/cases';
import { describeConfig, detectionBound, type KeepAliveConfig } from '../test/faults/scenario';

export interface Row {
  id: string;
  fault: string;
  configuration: string;
  bound: string;
  run: () => Promise<{ ms: number | null; outcome: string }>;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const KA_112 = { idle: 1000, interval: 1000, count: 2 };
const UTO_3 = { ...KA_112, userTimeout: 3000 };
const UTO_A = { idle: 2000, interval: 1000, count: 9, userTimeout: 2500 };
const UTO_B = { idle: 2000, interval: 1000, count: 2, userTimeout: 5000 };
const MIDDLEBOX_KA = { idle: 1000, interval: 1000, count: 3 };
const SERVER = KA_112;
const CLIENT = { idle: 2000, interval: 1000, count: 2 };

const detected = (r: { detectedMs: number | null; code: string | null }): { ms: number | null; outcome: string } => ({
  ms: r.detectedMs,
  outcome: r.code ?? 'not detected',
});

function idleRow(id: string, fault: string, method: Parameters<typeof silentPeer>[0], config: KeepAliveConfig): Row {
  return {
    id, fault, configuration: describeConfig(config),
    bound: `${s(detectionBound(config))}${config.userTimeout ? ` (count alone: ${s(detectionBound({ ...config, userTimeout: 0 }))})` : ''}`,
    run: async () => detected(await silentPeer(method, config)),
  };
}

export const ROWS: Row[] = [
  idleRow('1', 'peer host gone, idle (link down)', 'link-down', FAST),
  idleRow('1', 'peer host gone, idle (nft drop in peer)', 'drop', FAST),
  idleRow('1', 'peer host gone, idle (blackhole route on router)', 'blackhole', FAST),
  {
    id: '1 control', fault: 'peer host gone, idle (link down)', configuration: 'keepalive off',
    bound: 'none (kernel default: 2 h + 9 x 75 s)',
    run: async () => {
      const r = await silentPeer('link-down', undefined, 1500);
      return { ms: null, outcome: r.code ?? `still ESTABLISHED at ${s(detectionBound(FAST) + 1500)}` };
    },
  },
  {
    id: '2', fault: 'peer rebooted (answers RST)', configuration: describeConfig(FAST), bound: `${s(FAST.idle!)} (first probe)`,
    run: async () => detected(await peerRebooted(FAST)),
  },
  {
    id: '3', fault: 'router answers ICMP host-unreachable, idle', configuration: describeConfig(FAST),
    bound: `${s(detectionBound(FAST))}`,
    run: async () => {
      const r = await hostUnreachable(FAST);
      return { ms: r.detectedMs, outcome: `${r.code ?? 'not detected'} (ICMP ignored: quotes a probe)` };
    },
  },
  {
    id: '3b', fault: 'router answers ICMP host-unreachable, data in flight', configuration: describeConfig(UTO_3),
    bound: `${s(UTO_3.userTimeout)} after the write`,
    run: async () => detected(await hostUnreachable(UTO_3, 1000)),
  },
  {
    id: '4', fault: 'outage of 2 probes, then healed', configuration: describeConfig(FAST),
    bound: `survives (dies only at ${s(detectionBound(FAST))})`,
    run: async () => {
      const r = await temporaryOutage(FAST, 2);
      const ok = r.errorCode === null && r.echoAfterHeal && r.finalInfo.probes === 0;
      return { ms: r.recoveredMs, outcome: ok ? 'survived, probes back to 0' : `FAILED (${r.errorCode})` };
    },
  },
  {
    id: '5', fault: 'peer gone with data in flight', configuration: describeConfig(KA_112),
    bound: 'none from keepalive (tcp_retries2: ~15 min)',
    run: async () => {
      const cutoff = 2 * detectionBound(KA_112);
      const r = await dataInFlight(KA_112, cutoff);
      return { ms: r.detectedMs, outcome: r.code ?? `hanging at ${s(cutoff)} (${r.finalInfo?.retransmits} retransmits, 0 probes)` };
    },
  },
  {
    id: '5', fault: 'peer gone with data in flight', configuration: describeConfig(UTO_3),
    bound: `${s(UTO_3.userTimeout)} after the write`,
    run: async () => detected(await dataInFlight(UTO_3, 6000)),
  },
  idleRow('6', 'peer gone, idle; userTimeout < count bound', 'link-down', UTO_A),
  idleRow('6', 'peer gone, idle; userTimeout > count bound', 'link-down', UTO_B),
  {
    id: '7', fault: 'conntrack middlebox, 3 s idle timeout, 10 s idle', configuration: `${describeConfig(MIDDLEBOX_KA)} vs off`,
    bound: 'keepalive flow survives',
    run: async () => {
      const r = await middlebox(MIDDLEBOX_KA, 3, 10000);
      const kept = r.echoWithKeepAlive ? 'alive' : 'DEAD';
      const bare = r.echoWithout ? 'alive' : `silently dead (${r.untrackedDropped} packets dropped)`;
      return { ms: null, outcome: `with keepalive: ${kept}; without: ${bare}` };
    },
  },
  {
    id: '8', fault: 'partition; server-side socket (inherited from net.Server)', configuration: describeConfig(SERVER),
    bound: s(detectionBound(SERVER)),
    run: async () => detected((await inheritedBothEnds(SERVER, CLIENT)).server),
  },
  {
    id: '8', fault: 'partition; client socket', configuration: describeConfig(CLIENT), bound: s(detectionBound(CLIENT)),
    run: async () => detected((await inheritedBothEnds(SERVER, CLIENT)).client),
  },
];
