// getTcpInfo against the kernel: units, counters that move with traffic, fields by kernel length.
import { once } from 'node:events';
import { getTcpInfo } from '../../lib';
import { decodeTcpInfo } from '../../lib/tcp-info';
import { readTcpInfo } from '../../lib/native';
import { resolveNow } from '../../lib/target';
import { connectedPair, closeAll } from '../helpers/sockets';
import { ssOf } from '../helpers/ss';

afterEach(closeAll);

describe('getTcpInfo', () => {
  it('reports an established idle connection with ms units', async () => {
    const { client } = await connectedPair();
    const info = getTcpInfo(client);
    expect(info).toMatchObject({ state: 'ESTABLISHED', probes: 0, backoff: 0, retransmits: 0, unacked: 0, lost: 0 });
    expect(info.rto).toBeGreaterThanOrEqual(200); // TCP_RTO_MIN, in ms
    expect(info.rto).toBeLessThan(5000);
    expect(info.rtt).toBeGreaterThan(0);
    expect(info.rtt).toBeLessThan(50); // loopback: fractions of a ms
    expect(Number.isInteger(info.rtt * 1000)).toBe(true); // µs resolution kept as a fraction
    expect(info.pmtu).toBe(65535);
    expect(info.sndCwnd).toBeGreaterThan(0);
  });

  it('agrees with ss on rto, rtt and mss', async () => {
    const { client } = await connectedPair();
    const info = getTcpInfo(client);
    const entry = ssOf(client);
    const rto = Number(/\brto:(\d+)/.exec(entry.raw)![1]);
    const mss = Number(/\bmss:(\d+)/.exec(entry.raw)![1]);
    expect(info.rto).toBe(rto);
    expect(info.sndMss).toBe(mss);
  });

  it('moves with traffic: bytes, segments and last-received times', async () => {
    const { client, accepted } = await connectedPair();
    await new Promise((resolve) => setTimeout(resolve, 120));
    const before = getTcpInfo(client);
    expect(before.lastDataReceived).toBeGreaterThanOrEqual(100);
    accepted.write(Buffer.alloc(10_000, 1));
    let received = 0;
    while (received < 10_000) received += ((await once(client, 'data')) as [Buffer])[0].length;
    const after = getTcpInfo(client);
    expect(after.bytesReceived! - before.bytesReceived!).toBe(10_000);
    expect(after.segsIn!).toBeGreaterThan(before.segsIn!);
    expect(after.lastDataReceived).toBeLessThan(100);
  });

  it('leaves fields beyond the length the kernel returned undefined', async () => {
    const { client } = await connectedPair();
    const resolved = resolveNow(client);
    const buffer = new Uint8Array(512);
    const { view, length } = readTcpInfo(resolved, buffer);
    expect(length).toBeGreaterThanOrEqual(104);
    // As a 3.14 kernel would return it: only the first 104 bytes.
    const old = decodeTcpInfo(view, 104);
    expect(old.totalRetrans).toBe(0);
    expect(old.pacingRate).toBeUndefined();
    expect(old.bytesReceived).toBeUndefined();
    expect(old.totalRtoTime).toBeUndefined();
    const full = decodeTcpInfo(view, length);
    expect(full.bytesAcked).toBeGreaterThanOrEqual(1);
    // A buffer shorter than the struct: the kernel fills what fits and says so.
    const short = new Uint8Array(104);
    expect(readTcpInfo(resolved, short).length).toBe(104);
  });
});
