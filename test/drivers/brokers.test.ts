// The README's recipes for mongodb, kafkajs, amqplib, @grpc/grpc-js, nats and the AWS SDK v3's
// NodeHttpHandler (through STSClient), each against a loopback listener that speaks no protocol (every one of these
// drivers keeps a silent connection open while it waits for the server's first bytes): the kernel's
// values are read back on the driver's own socket after all of the driver's own setKeepAlive calls,
// and ss -tino sees the keepalive timer. Drivers without a socket hook get the process-wide policy;
// their socket is found through its filter.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { MongoClient } from 'mongodb';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import * as amqp from 'amqplib';
import * as grpc from '@grpc/grpc-js';
import { connect as natsConnect } from 'nats';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { connect, keepAliveAgent, tlsConnect, type EverywhereHandle } from '../../lib';
import { closeAll, listen, portOf } from '../helpers/sockets';
import { OURS, everywhereTo, expectConfigured } from '../helpers/driver-recipes';
import { useTestCert } from '../helpers/tls-cert';

/** `promise`, or a rejection naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The server's next accepted connection (for TLS servers: the next secured one). */
function accepted(server: net.Server): Promise<unknown> {
  return within(once(server, server instanceof tls.Server ? 'secureConnection' : 'connection'), 'connection accepted');
}

/** Lets the client's own 'connect' handlers (the driver's, then ours) run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

/** Ends the driver's pending connect: the server side goes away (the driver reads EOF), the
 *  driver's promise settles, and whatever the driver left open is destroyed. */
async function drop(sockets: net.Socket[], pending: Promise<unknown>, what: string): Promise<void> {
  await closeAll();
  await within(pending, what, 2000).catch(() => undefined); // the driver's connect fails: no server
  for (const socket of sockets) socket.destroy();
}

const testCert = useTestCert();
const handles: EverywhereHandle[] = [];
afterEach(async () => {
  for (const handle of handles.splice(0)) handle.close();
  await closeAll();
});

describe('driver recipes against listeners that speak no protocol (brokers, RPC, AWS)', () => {
  it('mongodb: keepAliveEverywhere, after its own setKeepAlive(true, 120 s)', async () => {
    const server = await listen();
    const { sockets, handle } = everywhereTo(portOf(server));
    handles.push(handle);
    const first = accepted(server);
    const client = new MongoClient(`mongodb://127.0.0.1:${portOf(server)}/?directConnection=true`, {
      connectTimeoutMS: 10000, serverSelectionTimeoutMS: 10000,
    });
    const connecting = client.connect().catch(() => undefined);
    try {
      await first;
      await settle();
      expect(sockets.length).toBeGreaterThanOrEqual(1); // the monitor's, waiting for its 'hello' reply
      sockets.forEach(expectConfigured);
    } finally {
      await within(client.close(), 'mongodb close');
      await drop(sockets, connecting, 'mongodb connect');
    }
  });

  it('kafkajs: socketFactory with connect() / tlsConnect() (replaces its own 60 s factory)', async () => {
    const mine: net.Socket[] = [];
    const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) =>
      ssl ? tlsConnect({ servername: net.isIP(host) ? undefined : host, ...ssl, host, port }, OURS, onConnect) : connect({ host, port }, OURS, onConnect);
    const factory: ISocketFactory = (args) => mine[mine.push(socketFactory(args)) - 1];
    const plain = await listen();
    const secure = await listen(tls.createServer({ key: testCert().key, cert: testCert().cert }));
    const kafka = (server: net.Server, ssl?: tls.ConnectionOptions): Kafka => new Kafka({
      brokers: [`127.0.0.1:${portOf(server)}`], ssl, socketFactory: factory, logLevel: logLevel.NOTHING,
      retry: { retries: 0 }, connectionTimeout: 3000, requestTimeout: 10000,
    });
    const first = [accepted(plain), accepted(secure)];
    const admins = [kafka(plain).admin(), kafka(secure, { ca: testCert().cert }).admin()];
    const connecting = Promise.all(admins.map((admin) => admin.connect().catch(() => undefined)));
    try {
      await Promise.all(first);
      await settle(); // kafkajs' ApiVersions request written, waiting for the reply
      expect(mine).toHaveLength(2);
      expect(mine[1]).toBeInstanceOf(tls.TLSSocket);
      mine.forEach(expectConfigured);
    } finally {
      await drop(mine, connecting, 'kafkajs connect');
    }
  });

  it('amqplib: keepAliveEverywhere, after its own socketOptions keepAlive', async () => {
    const server = await listen();
    const { sockets, handle } = everywhereTo(portOf(server));
    handles.push(handle);
    const first = accepted(server);
    // amqplib's own setKeepAlive(true, 1 s) runs at 'connect'; it then waits for Connection.Start.
    const connecting = amqp.connect(`amqp://127.0.0.1:${portOf(server)}`, { keepAlive: true, keepAliveDelay: 1000, timeout: 10000 });
    try {
      await first;
      await settle();
      expect(sockets).toHaveLength(1);
      expectConfigured(sockets[0]);
    } finally {
      await drop(sockets, connecting, 'amqplib connect');
    }
  });

  it('@grpc/grpc-js: keepAliveEverywhere (its keepalive is HTTP/2 PING only)', async () => {
    const server = await listen();
    const { sockets, handle } = everywhereTo(portOf(server));
    handles.push(handle);
    const first = accepted(server);
    const client = new grpc.Client(`127.0.0.1:${portOf(server)}`, grpc.credentials.createInsecure());
    client.getChannel().getConnectivityState(true); // connect now (grpc-js connects lazily)
    try {
      await first;
      await settle(); // HTTP/2 preface sent, waiting for the server's SETTINGS
      expect(sockets).toHaveLength(1);
      expectConfigured(sockets[0]);
    } finally {
      client.close();
      await drop(sockets, Promise.resolve(), 'grpc close');
    }
  });

  it('nats: keepAliveEverywhere (TCP keepalive off otherwise)', async () => {
    const server = await listen();
    const { sockets, handle } = everywhereTo(portOf(server));
    handles.push(handle);
    const first = accepted(server);
    // nats waits for the server's INFO line.
    const connecting = natsConnect({ servers: `127.0.0.1:${portOf(server)}`, timeout: 10000, reconnect: false });
    try {
      await first;
      await settle();
      expect(sockets).toHaveLength(1);
      expectConfigured(sockets[0]);
    } finally {
      await drop(sockets, connecting, 'nats connect');
    }
  });

  it("AWS SDK v3 (STSClient): NodeHttpHandler({ httpsAgent: keepAliveAgent(...) }), after the handler's own setKeepAlive", async () => {
    const server = await listen(tls.createServer({ key: testCert().key, cert: testCert().cert }));
    const first = accepted(server);
    const httpsAgent = keepAliveAgent(OURS, { https: true, agent: { ca: testCert().cert } });
    const client = new STSClient({
      region: 'us-east-1', endpoint: `https://127.0.0.1:${portOf(server)}`, maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      requestHandler: new NodeHttpHandler({ httpsAgent, requestTimeout: 10000 }),
    });
    const pending = client.send(new GetCallerIdentityCommand({})).catch(() => undefined);
    const sockets: net.Socket[] = [];
    try {
      await first; // the signed request is written; no response comes
      await settle();
      sockets.push(...Object.values(httpsAgent.sockets).flat().filter((s): s is net.Socket => s !== undefined));
      expect(sockets).toHaveLength(1);
      // The handler calls socket.setKeepAlive(true, agent.keepAliveMsecs) 3 s into the request
      // (smithy's setSocketKeepAlive defers it): wait for that call, then read back.
      const own = sockets[0];
      const original = own.setKeepAlive;
      const called = new Promise<unknown[]>((resolve) => {
        own.setKeepAlive = function (this: net.Socket, ...args: unknown[]) {
          resolve(args);
          return Reflect.apply(original, this, args) as net.Socket;
        };
      });
      expect(await within(called, "the handler's setKeepAlive")).toEqual([true, OURS.idle]);
      expectConfigured(own);
    } finally {
      client.destroy();
      await drop(sockets, pending, 'STS request');
    }
  });
});
