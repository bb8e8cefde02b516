// Case 7: a stateful middlebox (nft conntrack in the router namespace) forgets idle flows.
import { describeAsRoot } from '../helpers/privileges';
import { middlebox } from './cases';

const TIMEOUT_SEC = 3;
const IDLE_MS = 10000; // more than three times the middlebox's idle timeout

describeAsRoot('middlebox with an idle timeout (network namespaces)', () => {
  it('keepalive shorter than the timeout keeps the flow alive; without it the flow silently dies', async () => {
    const result = await middlebox({ idle: 1000, interval: 1000, count: 3 }, TIMEOUT_SEC, IDLE_MS);
    expect(result.echoWithKeepAlive).toBe(true);
    // About one answered probe per second of idling refreshed the middlebox's entry.
    expect(result.probesSent).toBeGreaterThanOrEqual(IDLE_MS / 1000 - 2);
    expect(result.probesSent).toBeLessThanOrEqual(IDLE_MS / 1000 + 1);
    // The bare connection: no error, no echo; the middlebox dropped its packets as untracked.
    expect(result.echoWithout).toBe(false);
    expect(result.untrackedDropped).toBeGreaterThan(0);
    expect(result.retransmitsWithout).toBeGreaterThan(0);
  }, 30000);
});
