// Cause of death: evidence gathered while a connection lived and at the moment it was
// destroyed (before Node closes the descriptor), and the rules that turn it into a cause.
import type * as net from 'node:net';
import { readAtClose } from './native';
import { beforeDestroy, tlsTransportOf } from './node-internals';
import type { ConnectionState } from './snapshot';
import { checkSocket, readThrough, resolveClosing } from './target';
import { decodeForPlatform, type TcpInfo } from './tcp-info';
import { settingsFromUnits, type KeepAliveSettings } from './units';

export type DeathCause =
  | 'keepalive-timeout'
  | 'user-timeout'
  | 'retransmit-timeout'
  | 'reset'
  | 'unreachable'
  | 'closed';

/** Why a connection ended. Times in ms. */
export interface DeathReport {
  cause: DeathCause;
  /** The error code the socket was destroyed with (e.g. 'ETIMEDOUT'); undefined without an error
   *  or for an error that has no code. */
  code: string | undefined;
  /** The error the socket was destroyed with, null for a clean close. */
  error: Error | null;
  /** The monitor's last inet_diag view of the connection while it was alive (null if never seen). */
  lastSnapshot: ConnectionState | null;
  /** Keepalive settings the kernel held, read at the moment of death (or when first watched). */
  configured: KeepAliveSettings | null;
  /** ms between the last segment received from the peer and the death; undefined if unknown. */
  elapsedSinceLastReceive: number | undefined;
  /** TCP_INFO read at the moment of the error, before the descriptor was closed. */
  atDeath: TcpInfo | null;
  /** Which classification rule decided the cause, in words. */
  rule: string;
}

interface Evidence {
  lastSnapshot: ConnectionState | null;
  snapshotAt: number;
  configured: KeepAliveSettings | null;
  atDeath: TcpInfo | null;
  error: Error | null;
  diedAt: number;
}

const evidence = new WeakMap<net.Socket, Evidence>();

/** Reads TCP_INFO and the keepalive settings from the socket's descriptor; works inside destroy,
 *  while the descriptor is still open, and never throws. */
function readLive(socket: net.Socket): { info: TcpInfo | null; configured: KeepAliveSettings | null } {
  const os = resolveClosing(socket);
  if (!os) return { info: null, configured: null };
  const { values, info } = readAtClose(os);
  return {
    info: info ? decodeForPlatform(info.view, info.length) : null,
    configured: values ? settingsFromUnits(values) : null,
  };
}

/**
 * Starts gathering evidence for `socket` (idempotent): hooks its destruction (node-internals beforeDestroy) so that TCP_INFO and
 * the settings are read when Node destroys it — for a read error this runs synchronously inside
 * the read callback, after the kernel aborted the connection and before the fd is closed.
 */
export function trackDeath(socket: net.Socket): void {
  if (evidence.has(socket)) return;
  const record: Evidence = { lastSnapshot: null, snapshotAt: 0, configured: null, atDeath: null, error: null, diedAt: 0 };
  beforeDestroy(socket, (dying, error) => {
    record.error = error;
    record.diedAt = Date.now();
    const live = readLive(dying);
    record.atDeath = live.info;
    record.configured = live.configured ?? record.configured;
  }); // (first: a frozen socket is refused before anything is recorded)
  evidence.set(socket, record);
  if (!socket.destroyed) record.configured = readLive(socket).configured;
}

/** Records the latest inet_diag view of a tracked socket. */
export function noteSnapshot(socket: net.Socket, snapshot: ConnectionState): void {
  const record = evidence.get(socket);
  if (!record) return;
  record.lastSnapshot = snapshot;
  record.snapshotAt = Date.now();
  if (!record.configured) record.configured = readLive(socket).configured;
}

/** The keepalive settings the kernel held for a tracked socket, as last read (when it was first
 *  watched, at a snapshot while unknown, or at its death); null when unknown or not tracked. */
export function configuredOf(socket: net.Socket): KeepAliveSettings | null {
  return evidence.get(socket)?.configured ?? null;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ECONNREFUSED']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

export interface DeathEvidence {
  error: Error | null;
  code: string | undefined;
  atDeath: TcpInfo | null;
  lastSnapshot: ConnectionState | null;
  configured: KeepAliveSettings | null;
}

/**
 * The classification rules, first match wins:
 * 1. no error, or an error without a code      -> 'closed' (orderly close, destroy() or destroy(err))
 * 2. ECONNRESET / EPIPE / ECONNABORTED / ECONNREFUSED -> 'reset' (the peer answered with RST; this
 *    includes a keepalive probe reaching a rebooted peer)
 * 3. EHOSTUNREACH / ENETUNREACH / EHOSTDOWN / ENETDOWN -> 'unreachable' (the kernel reports a
 *    recorded ICMP error instead of ETIMEDOUT when the timeout expires)
 * 4. ETIMEDOUT with TCP_USER_TIMEOUT > 0       -> 'user-timeout' (it replaces TCP_KEEPCNT once a
 *    probe is out, and tcp_retries2 for unacknowledged data, so it decided either way)
 * 5. ETIMEDOUT with keepalive probes out at death (tcpi_probes > 0 unless the last snapshot showed
 *    the retransmit timer, or the last snapshot showed the keepalive timer with probes out)
 *    -> 'keepalive-timeout' (TCP_KEEPCNT probes unanswered)
 * 6. ETIMEDOUT otherwise                        -> 'retransmit-timeout' (unacknowledged data, a
 *    zero-window probe or a SYN ran out of retries, tcp_retries2 / tcp_syn_retries)
 * 7. any other error                            -> 'closed' (destroyed by the application or
 *    a non-network error; `code` says which)
 */
export function classifyDeath(input: DeathEvidence): { cause: DeathCause; rule: string } {
  const { error, code, atDeath, lastSnapshot, configured } = input;
  if (!error) return { cause: 'closed', rule: 'closed without an error' };
  if (code === undefined) return { cause: 'closed', rule: 'destroyed with an error that has no code' };
  if (RESET_CODES.has(code)) return { cause: 'reset', rule: `${code}: the peer reset the connection` };
  if (UNREACHABLE_CODES.has(code)) return { cause: 'unreachable', rule: `${code}: ICMP unreachable reported by the network` };
  if (code !== 'ETIMEDOUT') return { cause: 'closed', rule: `${code}: not a network failure` };
  if (configured && configured.userTimeout > 0) {
    return { cause: 'user-timeout', rule: `ETIMEDOUT with TCP_USER_TIMEOUT ${configured.userTimeout} ms set` };
  }
  // tcpi_probes keeps the probes sent before the application wrote into a probing connection;
  // from then on the retransmission timer owned it (the monitor's 'stalled').
  const probesAtDeath = lastSnapshot?.timer === 'retransmit' ? 0 : (atDeath?.probes ?? 0);
  const probingBefore = lastSnapshot?.timer === 'keepalive' && lastSnapshot.probesOut > 0;
  if (probesAtDeath > 0 || probingBefore) {
    const probes = Math.max(probesAtDeath, lastSnapshot?.probesOut ?? 0);
    return { cause: 'keepalive-timeout', rule: `ETIMEDOUT with ${probes} keepalive probe(s) unanswered` };
  }
  return { cause: 'retransmit-timeout', rule: 'ETIMEDOUT with no keepalive probe out: retransmissions ran out' };
}

/** ms since the last segment from the peer (the older of data and ACK, as the kernel counts). */
function sinceLastReceive(info: TcpInfo | undefined | null): number | undefined {
  if (!info) return undefined;
  return Math.min(info.lastDataReceived, info.lastAckReceived);
}

/**
 * The cause-of-death report of a socket that has closed, or null while it is still open.
 * Full evidence needs the socket to have been watched (monitor().add()); otherwise the report
 * rests on the error code alone.
 */
export function explain(socket: net.Socket): DeathReport | null {
  return readThrough(socket, 'socket', () => explainSocket(checkSocket(socket, 'socket', true)));
}

function explainSocket(target: net.Socket): DeathReport | null {
  if (!target.destroyed) return null;
  const own = evidence.get(target);
  // A server TLSSocket that died in its handshake: the monitor tracked its raw socket (Node's
  // transport), destroyed without an error; the error is the TLSSocket's own.
  const parent = own ? null : tlsTransportOf(target);
  const record = own ?? (parent ? evidence.get(parent) : undefined);
  const error = own?.diedAt ? own.error : ((target as unknown as { errored?: Error | null }).errored ?? null);
  const code = (error as { code?: unknown } | null)?.code;
  const input: DeathEvidence = {
    error,
    code: typeof code === 'string' ? code : undefined,
    atDeath: record?.atDeath ?? null,
    lastSnapshot: record?.lastSnapshot ?? null,
    configured: record?.configured ?? null,
  };
  let elapsed = sinceLastReceive(input.atDeath);
  if (elapsed === undefined && record?.lastSnapshot?.tcpInfo) {
    const atSnapshot = sinceLastReceive(record.lastSnapshot.tcpInfo);
    if (atSnapshot !== undefined) elapsed = atSnapshot + (record.diedAt - record.snapshotAt);
  }
  return { ...classifyDeath(input), ...input, elapsedSinceLastReceive: elapsed };
}
