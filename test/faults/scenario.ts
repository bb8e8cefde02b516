// Building blocks of the fault cases: a connection between two namespace hosts whose side under
// test is configured through the package, and the detection bound its configuration promises.
// No jest here: the report script (scripts/faults-report.ts) runs the same code.
import type { Agent, AgentEvent } from '../helpers/agent';
import type { Host, Topology } from '../helpers/netns';

/** The public options of setKeepAlive (ms). */
export interface KeepAliveConfig {
  enable?: boolean;
  idle?: number;
  interval?: number;
  count?: number;
  userTimeout?: number;
}

export interface TcpInfoLite {
  state: string;
  probes: number;
  retransmits: number;
  backoff: number;
  rto: number;
  unacked: number;
}

/** One end configured through the package, its peer an echo server. */
export interface Connection {
  /** Agent on the side under test and its socket id there. */
  host: Agent;
  sock: string;
  /** Agent on the peer and the accepted socket id there. */
  peer: Agent;
  peerSock: string;
}

/**
 * The time after the last received segment at which Linux declares a silent idle peer dead:
 * idle + count x interval; with TCP_USER_TIMEOUT, the first keepalive timer expiry at which at
 * least one probe is out and the user timeout has elapsed (KEEPCNT is then ignored).
 */
export function detectionBound(config: KeepAliveConfig): number {
  const { idle = 0, interval = 0, count = 0, userTimeout = 0 } = config;
  if (!userTimeout) return idle + count * interval;
  const ticks = Math.max(1, Math.ceil((userTimeout - idle) / interval));
  return idle + ticks * interval;
}

export function describeConfig(config: KeepAliveConfig | undefined): string {
  if (!config || config.enable === false) return 'keepalive off';
  const parts = [`idle ${config.idle! / 1000} s`, `interval ${config.interval! / 1000} s`, `count ${config.count}`];
  if (config.userTimeout) parts.push(`userTimeout ${config.userTimeout / 1000} s`);
  return parts.join(', ');
}

/**
 * Connects `client` (side under test, configured with `keepAlive` before connect) to an echo
 * server on `server`, exchanges one ping so both sides have just received data, and starts
 * sampling getTcpInfo().probes on the side under test.
 */
export async function connect(
  topology: Topology,
  client: Host,
  server: Host,
  keepAlive?: KeepAliveConfig,
  serverKeepAlive?: KeepAliveConfig,
): Promise<Connection> {
  const peer = await topology.agent(server);
  const host = await topology.agent(client);
  return connectAgents(host, peer, server.address, keepAlive, serverKeepAlive);
}

/** Like connect(), with agents already running (several connections between the same hosts). */
export async function connectAgents(
  host: Agent,
  peer: Agent,
  serverAddress: string,
  keepAlive?: KeepAliveConfig,
  serverKeepAlive?: KeepAliveConfig,
): Promise<Connection> {
  const { port } = await peer.request<{ port: number }>('listen', { host: serverAddress, keepAlive: serverKeepAlive });
  const { sock, localPort } = await host.request<{ sock: string; localPort: number }>('connect', {
    host: serverAddress,
    port,
    keepAlive,
  });
  const accepted = await peer.expectEvent('accepted connection', (e) => e.event === 'accepted' && e.remotePort === localPort, 5000);
  const connection = { host, sock, peer, peerSock: accepted.sock! };
  await host.request('watch', { sock });
  await ping(connection);
  return connection;
}

/** Sends a ping and requires its echo (bounded). */
export async function ping(connection: Connection, timeoutMs = 3000): Promise<void> {
  const { echoed } = await connection.host.request<{ echoed: boolean }>('ping', { sock: connection.sock, timeoutMs });
  if (!echoed) throw new Error(`no echo within ${timeoutMs} ms`);
}

export function tcpInfo(agent: Agent, sock: string): Promise<TcpInfoLite> {
  return agent.request<TcpInfoLite>('tcpInfo', { sock });
}

/** The probe counts seen while probing, in order, and when each was first seen (leading zeros dropped). */
export function probeSequence(error: AgentEvent | null): { probes: number[]; probeTimes: number[] } {
  const log = (error?.probeLog ?? []).slice();
  while (log.length && log[0].probes === 0) log.shift();
  return { probes: log.map((entry) => entry.probes), probeTimes: log.map((entry) => entry.sinceLastReceive) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
