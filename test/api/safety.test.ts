// All-or-nothing writes, recycled descriptors, worker threads, garbage collection.
import * as net from 'node:net';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { setKeepAlive, getKeepAlive } from '../../lib';
import { applyValues } from '../../lib/native';
import { resolveNow } from '../../lib/target';
import { FIELDS } from '../../lib/options';
import { connectedPair, closeAll, listen, portOf, track } from '../helpers/sockets';

afterEach(closeAll);

const ALL = (1 << FIELDS.length) - 1;

describe('a kernel failure part-way through', () => {
  it('restores the options already written and reports errno, code and syscall', async () => {
    const { client } = await connectedPair();
    setKeepAlive(client, { enable: false, idle: 5000, interval: 2000, count: 4, userTimeout: 9000 });
    const before = getKeepAlive(client);
    // Bypass validation to make the kernel itself reject the last option (negative user timeout).
    let thrown: unknown;
    try {
      applyValues(resolveNow(client), ALL, [1, 30, 20, 10, -1]);
    } catch (error) {
      thrown = error;
    }
    expect(getKeepAlive(client)).toEqual(before);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({ code: 'EINVAL', errno: -22, syscall: 'setsockopt', option: 'TCP_USER_TIMEOUT' });
    expect((thrown as Error).message).toMatch(/setsockopt TCP_USER_TIMEOUT failed: EINVAL/);
  });

  it('restores on a failure in the middle too (count rejected by the kernel)', async () => {
    const { client } = await connectedPair();
    const before = getKeepAlive(client);
    expect(() => applyValues(resolveNow(client), ALL, [1, 30, 20, 500, 4000])).toThrow(
      expect.objectContaining({ code: 'EINVAL', errno: -22, option: 'TCP_KEEPCNT' }),
    );
    expect(getKeepAlive(client)).toEqual(before);
  });
});

describe('recycled descriptors', () => {
  it('a stale handle whose fd number now belongs to another connection is refused, and the other connection is untouched', async () => {
    const server = await listen();
    const first = track(net.connect(portOf(server), '127.0.0.1'));
    await once(first, 'connect');
    setKeepAlive(first, { idle: 4000 }); // the package learns this socket's identity
    const handle = (first as unknown as { _handle: { fd: number } })._handle;
    const fd = handle.fd;
    first.destroy();
    // Open connections until one reuses the number (the kernel hands out the lowest free fd).
    let reused: net.Socket | undefined;
    for (let i = 0; i < 20 && !reused; i++) {
      const candidate = track(net.connect(portOf(server), '127.0.0.1'));
      await once(candidate, 'connect');
      if ((candidate as unknown as { _handle: { fd: number } })._handle.fd === fd) reused = candidate;
    }
    expect(reused).toBeDefined();
    const untouched = getKeepAlive(reused!);
    // A lingering reference to the old handle, as a caller holding it across ticks would have.
    // The same handle object (whose identity the package learned) now reporting the old number.
    Object.defineProperty(handle, 'fd', { value: fd, configurable: true });
    Object.defineProperty(first, 'destroyed', { value: false, configurable: true });
    Object.defineProperty(first, '_handle', { value: handle, configurable: true });
    expect(() => setKeepAlive(first, { idle: 9000, count: 1 })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
    expect(() => getKeepAlive(first)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
    expect(getKeepAlive(reused!)).toEqual(untouched);
  });
});

describe('worker threads', () => {
  it('loads and works in several workers at once; terminating them leaves the main thread working', async () => {
    const script = join(__dirname, '..', 'helpers', 'worker-agent.js');
    const workers = Array.from({ length: 4 }, (_, i) => new Worker(script, { workerData: { idle: (i + 2) * 1000 } }));
    const results = await Promise.all(workers.map((w) => once(w, 'message').then(([m]) => m)));
    results.forEach((result, i) => expect(result).toEqual({ ok: true, idle: (i + 2) * 1000, state: 'ESTABLISHED' }));
    // Terminate while each worker still holds open, configured sockets.
    await Promise.all(workers.map((w) => w.terminate()));
    const { client } = await connectedPair();
    setKeepAlive(client, { idle: 2000 });
    expect(getKeepAlive(client).idle).toBe(2000);
  });
});

async function configureAndClose(server: net.Server, count: number): Promise<WeakRef<net.Socket>[]> {
  const refs: WeakRef<net.Socket>[] = [];
  for (let i = 0; i < count; i++) {
    const socket = net.connect(portOf(server), '127.0.0.1');
    setKeepAlive(socket, { idle: 3000 }); // pending plan, then applied on connect
    await once(socket, 'connect');
    getKeepAlive(socket);
    socket.destroy();
    await once(socket, 'close');
    refs.push(new WeakRef(socket));
  }
  return refs;
}

describe('garbage collection', () => {
  it('keeps no reference to configured sockets once they are closed', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const server = await listen();
    const refs = await configureAndClose(server, 20);
    for (let i = 0; i < 10 && refs.some((r) => r.deref()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
    }
    expect(refs.filter((r) => r.deref()).length).toBe(0);
  });
});
