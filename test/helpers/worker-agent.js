// Runs inside a worker thread: its own event loop and sockets, the same native addon.
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { setKeepAlive, getKeepAlive, getTcpInfo } = require('../..');

const server = net.createServer(() => {}).listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    setKeepAlive(client, { idle: workerData.idle, interval: 1000, count: 3 });
    const { idle } = getKeepAlive(client);
    parentPort.postMessage({ ok: true, idle, state: getTcpInfo(client).state });
    // Stay alive with the sockets open until terminated.
  });
});
