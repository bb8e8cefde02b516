// Issue 12, defect 9: never act on a recycled descriptor. Socket A's fd is closed behind Node's
// back and its number reused by a new connection B. The first call through A used to change B
// (the identity check only learned A's inode at first use, i.e. from B). Every call through A
// must now be ERR_SOCKET_CLOSED and B's kernel settings unchanged (read back through B and ss).
// A's addresses were read once by the user (Node caches them), as any logging code does.
// Closing an fd behind libuv is hostile to the loop: A stops reading first, B is closed before A
// (so A's close cannot hit B's number), and every wait is bounded.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { once } from 'node:events';
import { getKeepAlive, getTcpInfo, keepAliveSocket, setKeepAlive, type KeepAliveSettings } from '../../lib';
import { closeAll, listen, portOf, track } from '../helpers/sockets';
import { codeOf, fdOf, ssKeepAliveTimer, within } from '../helpers/hardening';

afterEach(closeAll);

interface Recycled {
  stale: net.Socket;
  reused: net.Socket;
  fd: number;
}

/** Connects A, lets `prepare` touch it, closes its fd behind Node's back, and finds B on that number. */
async function recycle(prepare: (a: net.Socket) => void): Promise<Recycled> {
  const server = await listen();
  const stale = track(net.connect(portOf(server), '127.0.0.1'));
  stale.on('error', () => undefined);
  await within(5000, 'A to connect', once(stale, 'connect'));
  // The user reads the addresses once (logging): Node caches them on the socket.
  expect(stale.remoteAddress).toBe('127.0.0.1');
  expect(stale.remotePort).toBe(portOf(server));
  expect(stale.localPort).toBeGreaterThan(0);
  prepare(stale);
  const fd = fdOf(stale);
  expect(fd).toBeGreaterThan(2);
  (stale as unknown as { _handle: { readStop(): number } })._handle.readStop();
  fs.closeSync(fd);
  let reused: net.Socket | undefined;
  for (let i = 0; i < 20 && !reused; i++) {
    const candidate = track(net.connect(portOf(server), '127.0.0.1'));
    candidate.on('error', () => undefined);
    await within(5000, 'B to connect', once(candidate, 'connect'));
    if (fdOf(candidate) === fd) reused = candidate;
  }
  if (!reused) throw new Error(`no new connection reused fd ${fd} within 20 tries`);
  return { stale, reused, fd };
}

function release({ stale, reused }: Recycled): void {
  // B first: its close frees the number, so A's close (uv_close → close(fd)) fails harmlessly.
  reused.destroy();
  stale.destroy();
}

function expectStaleRefused(stale: net.Socket): void {
  expect(codeOf(() => setKeepAlive(stale, { idle: 9000, interval: 9000, count: 1, userTimeout: 1234 }))).toBe('ERR_SOCKET_CLOSED');
  expect(codeOf(() => keepAliveSocket(stale, { enable: false }))).toBe('ERR_SOCKET_CLOSED');
  expect(codeOf(() => getKeepAlive(stale))).toBe('ERR_SOCKET_CLOSED');
  expect(codeOf(() => getTcpInfo(stale))).toBe('ERR_SOCKET_CLOSED');
}

function expectUntouched(reused: net.Socket, before: KeepAliveSettings, timerBefore: { expiresMs: number } | null): void {
  expect(getKeepAlive(reused)).toEqual(before);
  const timer = ssKeepAliveTimer(reused.localPort!, reused.remotePort!);
  if (timerBefore === null) expect(timer).toBeNull();
  else expect(timer).not.toBeNull();
}

describe('a descriptor closed behind Node and reused by another connection', () => {
  it('A never touched by the package: every call through A is ERR_SOCKET_CLOSED, B unchanged (getKeepAlive and ss)', async () => {
    const recycled = await recycle(() => undefined);
    try {
      const { stale, reused } = recycled;
      const before = getKeepAlive(reused);
      expect(before.enable).toBe(false);
      const timerBefore = ssKeepAliveTimer(reused.localPort!, reused.remotePort!);
      expect(timerBefore).toBeNull();
      expectStaleRefused(stale);
      expectUntouched(reused, before, timerBefore);
    } finally {
      release(recycled);
    }
  });

  it('A read by the package (getKeepAlive) before the recycling: refused, B unchanged', async () => {
    const recycled = await recycle((a) => {
      expect(getKeepAlive(a).enable).toBe(false);
    });
    try {
      const { stale, reused } = recycled;
      const before = getKeepAlive(reused);
      expectStaleRefused(stale);
      expectUntouched(reused, before, null);
    } finally {
      release(recycled);
    }
  });

  it('A configured once by the package before the recycling: refused, B unchanged', async () => {
    const recycled = await recycle((a) => setKeepAlive(a, { idle: 4000 }));
    try {
      const { stale, reused } = recycled;
      const before = getKeepAlive(reused);
      expect(before.enable).toBe(false);
      expectStaleRefused(stale);
      expectUntouched(reused, before, null);
    } finally {
      release(recycled);
    }
  });

  it('B configured by the package keeps exactly its own settings', async () => {
    const recycled = await recycle(() => undefined);
    try {
      const { stale, reused } = recycled;
      setKeepAlive(reused, { idle: 6000, interval: 2000, count: 5 });
      const before = getKeepAlive(reused);
      expectStaleRefused(stale);
      expectUntouched(reused, before, { expiresMs: 6000 });
    } finally {
      release(recycled);
    }
  });
});
