// The classification rules in isolation, for the combinations the kernel scenarios
// (faults.test.ts) cannot all reach in reasonable time. Evidence here is shaped like real reads.
import { classifyDeath, type DeathEvidence } from '../../lib/explain';
import type { ConnectionState } from '../../lib/snapshot';
import type { TcpInfo } from '../../lib/tcp-info';

const settings = { enable: true, idle: 1000, interval: 1000, count: 3, userTimeout: 0 };
const probing = { timer: 'keepalive', probesOut: 2 } as ConnectionState;
const retransmitting = { timer: 'retransmit', probesOut: 0 } as ConnectionState;
const zeroWindow = { timer: 'zero-window-probe', probesOut: 4 } as ConnectionState;
const info = (probes: number): TcpInfo => ({ state: 'CLOSE', probes }) as TcpInfo;
const error = (code?: string): Error => Object.assign(new Error('x'), code ? { code } : {});

const cases: Array<[string, DeathEvidence, string]> = [
  ['no error', { error: null, code: undefined, atDeath: info(0), lastSnapshot: null, configured: settings }, 'closed'],
  ['error without code', { error: error(), code: undefined, atDeath: null, lastSnapshot: null, configured: null }, 'closed'],
  ['ECONNRESET while probing', { error: error('ECONNRESET'), code: 'ECONNRESET', atDeath: info(1), lastSnapshot: probing, configured: settings }, 'reset'],
  ['EPIPE', { error: error('EPIPE'), code: 'EPIPE', atDeath: null, lastSnapshot: null, configured: null }, 'reset'],
  ['ENETUNREACH', { error: error('ENETUNREACH'), code: 'ENETUNREACH', atDeath: info(0), lastSnapshot: retransmitting, configured: settings }, 'unreachable'],
  ['probes at death, no UTO', { error: error('ETIMEDOUT'), code: 'ETIMEDOUT', atDeath: info(3), lastSnapshot: null, configured: settings }, 'keepalive-timeout'],
  ['probes seen by the last tick only', { error: error('ETIMEDOUT'), code: 'ETIMEDOUT', atDeath: null, lastSnapshot: probing, configured: settings }, 'keepalive-timeout'],
  ['probes and UTO', { error: error('ETIMEDOUT'), code: 'ETIMEDOUT', atDeath: info(2), lastSnapshot: probing, configured: { ...settings, userTimeout: 2500 } }, 'user-timeout'],
  ['unacked data and UTO', { error: error('ETIMEDOUT'), code: 'ETIMEDOUT', atDeath: info(0), lastSnapshot: retransmitting, configured: { ...settings, userTimeout: 3000 } }, 'user-timeout'],
  ['unacked data, no UTO', { error: error('ETIMEDOUT'), code: 'ETIMEDOUT', atDeath: info(0), lastSnapshot: retransmitting, configured: settings }, 'retransmit-timeout'],
  ['zero-window probes, no UTO', { error: error('ETIMEDOUT'), code: 'ETIMEDOUT', atDeath: info(0), lastSnapshot: zeroWindow, configured: settings }, 'retransmit-timeout'],
  ['application code', { error: error('EPROTO_APP'), code: 'EPROTO_APP', atDeath: info(0), lastSnapshot: null, configured: settings }, 'closed'],
];

describe('classifyDeath rules', () => {
  it.each(cases)('%s', (_name, evidence, cause) => {
    const result = classifyDeath(evidence);
    expect(result.cause).toBe(cause);
    expect(result.rule.length).toBeGreaterThan(5);
  });
});
