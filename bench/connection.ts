// A real loopback connection to measure on.
import * as net from 'node:net';
import { once } from 'node:events';

export interface Connection {
  client: net.Socket;
  /** The client's descriptor, for the native floor. */
  fd: number;
  close(): void;
}

export async function openConnection(): Promise<Connection> {
  const server = net.createServer((socket) => socket.on('error', () => undefined));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const fd = (client as unknown as { _handle: { fd: number } })._handle.fd;
  return {
    client,
    fd,
    close() {
      client.destroy();
      server.close();
    },
  };
}
