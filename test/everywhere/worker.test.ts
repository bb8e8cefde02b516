// Worker threads: a policy belongs to the thread that opened it. A worker's own policy configures
// the worker's sockets, the main thread's policy does not reach them (nor they it), and a worker
// that exits with its policy open leaves the main thread working. Uses the build in dist/.
import * as net from 'node:net';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { getKeepAlive, keepAliveEverywhere } from '../../lib';
import { PACKAGE_ROOT } from '../helpers/agent';
import { closeAll, listen, portOf, track } from '../helpers/sockets';

afterEach(closeAll);

const WORKER = `
  const net = require('node:net');
  const { parentPort, workerData } = require('node:worker_threads');
  const { keepAliveEverywhere, getKeepAlive } = require(workerData.root);
  if (workerData.policy) keepAliveEverywhere({ idle: 13000 });
  const socket = new net.Socket().connect(workerData.port, '127.0.0.1', () => {
    parentPort.postMessage(getKeepAlive(socket));
    socket.destroy();
  });`;

async function inWorker(port: number, policy: boolean): Promise<{ idle: number; enable: boolean }> {
  const worker = new Worker(WORKER, { eval: true, workerData: { port, root: PACKAGE_ROOT, policy } });
  const [settings] = await once(worker, 'message');
  await worker.terminate();
  return settings;
}

describe('keepAliveEverywhere and worker threads', () => {
  it("configures the calling thread's sockets only", async () => {
    const server = await listen();
    const main = keepAliveEverywhere({ idle: 21000 });
    try {
      expect(await inWorker(portOf(server), true)).toMatchObject({ enable: true, idle: 13000 });
      expect((await inWorker(portOf(server), false)).enable).toBe(false);
      const socket = track(new net.Socket().connect(portOf(server), '127.0.0.1'));
      await once(socket, 'connect');
      expect(getKeepAlive(socket).idle).toBe(21000);
    } finally {
      main.close();
    }
  });
});
