// The macOS, FreeBSD and Windows decoders cannot meet their kernels here (the prebuild workflow
// runs them for real); this pins each to the struct layouts documented in
// shared/reference/darwin-bsd.md and windows.md: offsets, units, state numbering, and
// `undefined` for what the platform has no counter for.
import { decodeDarwin, decodeFreebsd, decodeWindows } from '../../lib/tcp-info-platforms';

/** A zeroed 512-byte buffer (as the native layer hands over) with the given little-endian fields. */
function struct(fields: [offset: number, bytes: 1 | 4 | 8, value: number][]): DataView {
  const dv = new DataView(new ArrayBuffer(512));
  for (const [offset, bytes, value] of fields) {
    if (bytes === 1) dv.setUint8(offset, value);
    else if (bytes === 4) dv.setUint32(offset, value, true);
    else dv.setBigUint64(offset, BigInt(value), true);
  }
  return dv;
}

describe('decodeWindows (TCP_INFO_v0 / v1 from SIO_TCP_INFO)', () => {
  const fields: [number, 1 | 4 | 8, number][] = [
    [0, 4, 4], [4, 4, 1460], [16, 1, 1], [20, 4, 2500], [24, 4, 1200], [36, 4, 65535], [40, 4, 131072],
    [48, 8, 2 ** 33 + 5], [56, 8, 777], [68, 4, 99],
  ];

  it('maps TCPSTATE 4 to ESTABLISHED, µs RTTs to ms and the byte counters', () => {
    expect(decodeWindows(struct(fields), 88)).toMatchObject({
      state: 'ESTABLISHED', sndMss: 1460, rtt: 2.5, minRtt: 1.2, sndWnd: 65535, rcvWnd: 131072,
      bytesSent: 2 ** 33 + 5, bytesReceived: 777, bytesRetrans: 99,
      options: { timestamps: true, sack: false },
    });
  });

  it('leaves what Windows has no counter for undefined (no keepalive probes, no backoff)', () => {
    const info = decodeWindows(struct(fields), 136);
    expect(info.probes).toBeUndefined();
    expect(info.backoff).toBeUndefined();
    expect(info.lastDataReceived).toBeUndefined();
  });

  it('uses Windows state numbering, which differs from BSD (5 = FIN_WAIT1, 7 = CLOSE_WAIT)', () => {
    expect(decodeWindows(struct([[0, 4, 5]]), 88).state).toBe('FIN_WAIT1');
    expect(decodeWindows(struct([[0, 4, 7]]), 88).state).toBe('CLOSE_WAIT');
  });
});

describe('decodeDarwin (struct tcp_connection_info)', () => {
  it('reads ms times as they are and the u64 counters', () => {
    const dv = struct([
      [0, 1, 4], [1, 1, 6], [2, 1, 7], [4, 4, 0b0011], [12, 4, 230], [16, 4, 16344], [28, 4, 400000],
      [36, 4, 300000], [44, 4, 3], [48, 4, 1], [56, 8, 10], [64, 8, 1000], [72, 8, 0], [80, 8, 11],
      [88, 8, 2000], [104, 8, 2],
    ]);
    expect(decodeDarwin(dv, 112)).toMatchObject({
      state: 'ESTABLISHED', sndWscale: 6, rcvWscale: 7, options: { timestamps: true, sack: true, windowScale: false },
      rto: 230, sndMss: 16344, sndWnd: 400000, rcvWnd: 300000, rtt: 3, rttVar: 1, segsOut: 10, bytesSent: 1000,
      bytesRetrans: 0, segsIn: 11, bytesReceived: 2000, totalRetrans: 2,
    });
  });

  it('uses BSD state numbering (5 = CLOSE_WAIT, 9 = FIN_WAIT2)', () => {
    expect(decodeDarwin(struct([[0, 1, 5]]), 112).state).toBe('CLOSE_WAIT');
    expect(decodeDarwin(struct([[0, 1, 9]]), 112).state).toBe('FIN_WAIT2');
  });
});

describe('decodeFreebsd (struct tcp_info, FreeBSD layout)', () => {
  it('reads the Linux-compatible head in µs and the FreeBSD tail, never Linux-only fields', () => {
    const dv = struct([
      [0, 1, 4], [5, 1, 0b0111], [6, 1, 0x76], [8, 4, 201000], [16, 4, 16332], [52, 4, 12000], [68, 4, 1500],
      [72, 4, 750], [96, 4, 131072], [100, 4, 65536], [120, 4, 3], [124, 4, 1],
    ]);
    const info = decodeFreebsd(dv, 240);
    expect(info).toMatchObject({
      state: 'ESTABLISHED', sndWscale: 6, rcvWscale: 7, rto: 201, sndMss: 16332, lastDataReceived: 12,
      rtt: 1.5, rttVar: 0.75, sndWnd: 65536, totalRetrans: 3, rcvOoopack: 1,
    });
    // tcpi_last_data_recv is µs on FreeBSD (12000 µs = 12 ms), not ms as on Linux.
    expect(info.lastDataReceived).toBe(12);
    // tcpi_rcv_space is FreeBSD's advertised receive window: rcvWnd, not Linux's rcvSpace.
    expect(info.rcvWnd).toBe(131072);
    expect(info.rcvSpace).toBeUndefined();
    // Placeholders on FreeBSD (always 0 there): not reported as if they were counters.
    expect(info.probes).toBeUndefined();
    expect(info.retransmits).toBeUndefined();
  });
});
