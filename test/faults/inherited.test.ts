// Case 8: keepalive configured through a listening net.Server (inherited by accepted sockets)
// and through a client socket before it connects; a partition silences both directions.
import { describeAsRoot } from '../helpers/privileges';
import { inheritedBothEnds } from './cases';
import { detectionBound } from './scenario';
import { expectDetectedNear } from './expect-timing';

const SERVER = { idle: 1000, interval: 1000, count: 2 }; // 3 s
const CLIENT = { idle: 2000, interval: 1000, count: 2 }; // 4 s

describeAsRoot('both ends configured (network namespaces)', () => {
  it('the accepted socket inherits the server configuration, the client keeps its own; each detects at its bound', async () => {
    const { server, client } = await inheritedBothEnds(SERVER, CLIENT);
    expect(server.readBack).toEqual({ enable: true, ...SERVER, userTimeout: 0 });
    expect(client.readBack).toEqual({ enable: true, ...CLIENT, userTimeout: 0 });
    expect(server.code).toBe('ETIMEDOUT');
    expect(client.code).toBe('ETIMEDOUT');
    expectDetectedNear(server.detectedMs, detectionBound(SERVER));
    expectDetectedNear(client.detectedMs, detectionBound(CLIENT));
  }, 20000);
});
