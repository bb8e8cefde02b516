// The addon's one apply/read algorithm (src-native/keepalive_core.cc), called directly on real
// loopback sockets: ordered writes, rollback of everything written before a failure (including
// the fields before the Windows-only ioctl, which fails here and so shows what a failing ioctl
// leaves), and the glue's refusal of bad arguments.
import { closeSync, openSync } from 'node:fs';
import * as net from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';

interface Failure {
  errno: number;
  syscall: string;
  option: string;
}
interface Addon {
  constants: { stateSlots: number; viaKeepAliveVals: number; optionNames: Record<string, string> };
  apply(fd: number, state: Float64Array, mask: number, ...values: number[]): Failure | undefined;
  read(fd: number, state: Float64Array): Failure | undefined;
  tcpInfo(fd: number, state: Float64Array, buffer: Uint8Array): Failure | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const addon = require('node-gyp-build')(join(__dirname, '..', '..')) as Addon;
const ALL = 0b11111;
const posix = process.platform !== 'win32';
const { ENOTSOCK, EINVAL, EOPNOTSUPP } = constants.errno;

let server: net.Server;
let client: net.Socket;
let fd: number;
const state = new Float64Array(addon.constants.stateSlots);

function read(): number[] {
  state[0] = 0;
  expect(addon.read(fd, state)).toBeUndefined();
  return Array.from(state.subarray(1, 6));
}
function apply(mask: number, values: number[]): Failure | undefined {
  state[0] = 0;
  return addon.apply(fd, state, mask, ...values);
}

beforeAll(async () => {
  server = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  fd = (client as unknown as { _handle: { fd: number } })._handle.fd;
});
afterAll(() => {
  client.destroy();
  server.close();
});

(posix ? describe : describe.skip)('apply (POSIX units: s, ms for the user timeout)', () => {
  it('writes every field of the mask and reads them back', () => {
    expect(apply(ALL, [1, 30, 7, 4, 12000])).toBeUndefined();
    expect(read()).toEqual([1, 30, 7, 4, 12000]);
  });

  it('writes only the fields of the mask', () => {
    expect(apply(0b00100, [0, 0, 9, 0, 0])).toBeUndefined();
    expect(read()).toEqual([1, 30, 9, 4, 12000]);
  });

  it('rolls back every field written before a rejected one, and names the option', () => {
    const before = read();
    const failure = apply(ALL, [0, 60, 20, -5, 1]);
    expect(failure).toEqual({ errno: EINVAL, syscall: 'setsockopt', option: addon.constants.optionNames.count });
    expect(read()).toEqual(before);
  });

  it('with kViaKeepAliveVals the ioctl goes last: a failing ioctl leaves nothing written', () => {
    const before = read();
    const failure = apply(ALL | addon.constants.viaKeepAliveVals, [0, 60, 20, 8, 3000]);
    expect(failure).toEqual({ errno: EOPNOTSUPP, syscall: 'WSAIoctl', option: 'SIO_KEEPALIVE_VALS' });
    expect(read()).toEqual(before);
  });

  it('rolls back when the last field fails (the one field written without a read first)', () => {
    const before = read();
    const failure = apply(ALL, [1, 61, 21, 5, -1]);
    expect(failure).toEqual({ errno: EINVAL, syscall: 'setsockopt', option: addon.constants.optionNames.userTimeout });
    expect(read()).toEqual(before);
  });

  it('refuses a descriptor that is no socket before touching it', () => {
    const file = openSync(__filename, 'r');
    try {
      state[0] = 0;
      expect(addon.apply(file, state, ALL, 1, 1, 1, 1, 1)).toEqual({ errno: ENOTSOCK, syscall: 'fstat', option: '' });
    } finally {
      closeSync(file);
    }
  });
});

describe('the N-API glue', () => {
  it('refuses arguments the TS layer never passes with a coded TypeError', () => {
    const calls: Array<() => unknown> = [
      () => addon.read('1' as unknown as number, state),
      () => addon.read(fd, new Float64Array(2)),
      () => addon.apply(fd, state, ALL, 1, 2, 3, 4),
      () => addon.apply(fd, state, ALL, 1, 2, 3, 4, '5' as unknown as number),
      () => addon.tcpInfo(fd, state, new Uint16Array(8) as unknown as Uint8Array),
    ];
    for (const call of calls) {
      expect(call).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
    }
  });

  it('exports no fieldCount (the constants object replaces it)', () => {
    expect('fieldCount' in addon).toBe(false);
  });
});

(posix ? describe : describe.skip)('socket identity in state[0]', () => {
  const { ESTALE } = constants.errno;
  const withoutInode = (addon.constants as unknown as { checkedWithoutInode: number }).checkedWithoutInode;

  it('is learned at the first call (the inode here) and checked at the next', () => {
    state[0] = 0;
    expect(addon.read(fd, state)).toBeUndefined();
    const inode = state[0];
    expect(inode).toBeGreaterThan(0);
    expect(inode).not.toBe(withoutInode);
    expect(addon.read(fd, state)).toBeUndefined();
    expect(state[0]).toBe(inode);
  });

  it('never takes the "checked, no inode" marker of macOS/FreeBSD for a socket that has an inode', () => {
    expect(withoutInode).toBe(2 ** 53);
    state[0] = withoutInode;
    expect(addon.read(fd, state)).toEqual({ errno: ESTALE, syscall: 'fstat', option: '' });
  });
});
