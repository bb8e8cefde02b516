// The layout table (lib/tcp-info-layout.ts) is the one source of struct offsets: the generated
// header the native builds assert it with is current, and every decoder reads exactly the
// table's offsets, each with the table's unit.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTcpInfo } from '../../lib/tcp-info';
import { LAYOUTS, type StructLayout } from '../../lib/tcp-info-layout';
import { decodeDarwin, decodeFreebsd, decodeWindows } from '../../lib/tcp-info-platforms';
import type { TcpInfo } from '../../lib/tcp-info-shape';
import { layoutHeader } from './layout-header';

const HEADER = join(__dirname, '..', '..', 'src-native', 'tcp_info_layout.h');

describe('src-native/tcp_info_layout.h', () => {
  it('is generated from the current table (UPDATE_LAYOUT=1 rewrites it)', () => {
    if (process.env.UPDATE_LAYOUT === '1') writeFileSync(HEADER, layoutHeader());
    expect(readFileSync(HEADER, 'utf8')).toBe(layoutHeader());
  });

  it('asserts every sized struct and every addressable member', () => {
    const text = readFileSync(HEADER, 'utf8');
    for (const layout of Object.values(LAYOUTS)) {
      if (layout.size !== null) expect(text).toContain(`sizeof(${layout.type}) == ${layout.size}`);
      for (const { member, offset } of Object.values(layout.fields)) {
        if (member !== null) expect(text).toMatch(new RegExp(`${layout.type}, ${member}(\\)|,) (== )?${offset}`));
      }
    }
  });
});

type Decoder = (dv: DataView, n: number) => TcpInfo;

/** A DataView that records the (offset, width) of every read. */
function recordingView(buffer: ArrayBuffer): { view: DataView; reads: Set<string> } {
  const real = new DataView(buffer);
  const reads = new Set<string>();
  const view = {
    getUint8: (o: number) => (reads.add(`${o}:1`), real.getUint8(o)),
    getUint16: (o: number, le?: boolean) => (reads.add(`${o}:2`), real.getUint16(o, le)),
    getUint32: (o: number, le?: boolean) => (reads.add(`${o}:4`), real.getUint32(o, le)),
  } as unknown as DataView;
  return { view, reads };
}

/** The reads a decoder of `layout` should make: 64-bit fields as two 32-bit halves. */
function tableReads(layout: StructLayout): Set<string> {
  const out = new Set<string>();
  for (const { offset, size } of Object.values(layout.fields)) {
    if (size === 8) out.add(`${offset}:4`).add(`${offset + 4}:4`);
    else out.add(`${offset}:${size}`);
  }
  return out;
}

const DECODERS: Array<[string, Decoder, StructLayout]> = [
  ['Linux decodeTcpInfo', decodeTcpInfo, LAYOUTS.linux],
  ['FreeBSD decodeFreebsd', decodeFreebsd, LAYOUTS.freebsd],
  ['macOS decodeDarwin', decodeDarwin, LAYOUTS.darwin],
  ['Windows decodeWindows (v0)', decodeWindows, LAYOUTS.windowsV0],
  ['Windows decodeWindows (v1)', decodeWindows, LAYOUTS.windowsV1],
];
// Fields whose byte the decoder turns into something else (names, flags, two nibbles).
const DERIVED = new Set(['state', 'caState', 'options', 'wscale']);

describe.each(DECODERS)('%s', (_name, decode, layout) => {
  const size = layout.size ?? 248;

  it('reads exactly the offsets of the table, each at its width', () => {
    const { view, reads } = recordingView(new ArrayBuffer(512));
    decode(view, size);
    expect([...reads].sort()).toEqual([...tableReads(layout)].sort());
  });

  it('reports each numeric field of the table under its name, in ms where the table says µs', () => {
    const buffer = new ArrayBuffer(512);
    const dv = new DataView(buffer);
    const written = new Map<string, number>();
    Object.entries(layout.fields).forEach(([field, { offset, size: width }], i) => {
      if (DERIVED.has(field)) return;
      const value = width === 1 ? 7 + i : width === 2 ? 300 + i : 100_000 + 1000 * i;
      if (width === 1) dv.setUint8(offset, value);
      else if (width === 2) dv.setUint16(offset, value, true);
      else if (width === 4) dv.setUint32(offset, value, true);
      else dv.setBigUint64(offset, BigInt(value), true);
      written.set(field, value);
    });
    const info = decode(dv, size) as unknown as Record<string, unknown>;
    for (const [field, value] of written) {
      const unit = (layout.fields as Record<string, { unit: string }>)[field].unit;
      expect([field, info[field]]).toEqual([field, unit === 'us' ? value / 1000 : value]);
    }
  });
});

describe('the platform facts the table records', () => {
  it('FreeBSD: tcpi_last_data_recv is µs and tcpi_rcv_space is the receive window (rcvWnd)', () => {
    expect(LAYOUTS.freebsd.fields.lastDataReceived).toMatchObject({ unit: 'us', offset: 52 });
    expect(LAYOUTS.freebsd.fields.rcvWnd).toMatchObject({ member: 'tcpi_rcv_space', offset: 96 });
    expect(LAYOUTS.freebsd.size).toBe(240);
  });

  it('sizes: macOS 112, Windows v0 88 / v1 136', () => {
    expect([LAYOUTS.darwin.size, LAYOUTS.windowsV0.size, LAYOUTS.windowsV1.size]).toEqual([112, 88, 136]);
  });
});
