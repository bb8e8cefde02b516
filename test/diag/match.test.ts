// The dump matched in C++ (sockDiagMatch): kernel port bytecode, lazy TCP_INFO, the monitor's
// change-only table. Real loopback sockets.
import * as net from 'node:net';
import { snapshot, getTcpInfo } from '../../lib/index';
import { AF_INET, CONNECTION_STATES, buildRequest, portBytecode } from '../../lib/diag';
import { sockDiagMatch } from '../../lib/native';
import { inodeOf, matchDump, forEachState } from '../../lib/snapshot';
import { WatchTable } from '../../lib/watch-table';
import { closeAll, connectedPair, listen } from '../helpers/sockets';

afterEach(closeAll);

describe('port bytecode', () => {
  it('encodes one equality test per port, a match jumping to the end, the last miss past it', () => {
    const bytes = portBytecode({ side: 'remote', ports: [80, 443] });
    const view = new DataView(bytes.buffer);
    expect(bytes.length).toBe(16);
    expect([view.getUint8(0), view.getUint8(1), view.getUint16(2, true), view.getUint16(6, true)]).toEqual([12, 16, 8, 80]);
    expect([view.getUint8(8), view.getUint8(9), view.getUint16(10, true), view.getUint16(14, true)]).toEqual([12, 8, 12, 443]);
  });

  it('keeps, in the kernel, only the sockets with the filtered port', async () => {
    const server = await listen();
    const { client, accepted } = await connectedPair(server);
    const inodes = Uint32Array.of(inodeOf(client) as number, inodeOf(accepted) as number);
    const byLocal = { side: 'local' as const, ports: [accepted.localPort as number] };
    const seen: number[] = [];
    forEachState(matchDump(AF_INET, inodes, byLocal), (slot) => seen.push(slot));
    expect(seen).toEqual([1]); // the client's local port is another one
    const unfiltered = sockDiagMatch(buildRequest(AF_INET, CONNECTION_STATES, true), inodes);
    const all: number[] = [];
    forEachState(unfiltered, (slot) => all.push(slot));
    expect(all.sort()).toEqual([0, 1]);
  });
});

describe('snapshot with the C++ matcher', () => {
  it('decodes TCP_INFO at first read, like getTcpInfo, and JSON includes it', async () => {
    const { client } = await connectedPair();
    const [state] = snapshot([client]);
    const info = state.tcpInfo;
    expect(info).toBeDefined();
    expect(state.tcpInfo).toBe(info); // decoded once
    expect(Object.keys(info as object)).toEqual(Object.keys(getTcpInfo(client)));
    const json = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
    expect(json).toMatchObject({ localPort: client.localPort, inode: state.inode, tcpInfo: { state: 'ESTABLISHED' } });
  });

  it('returns a socket given twice twice, and leaves out a destroyed one', async () => {
    const { client, accepted } = await connectedPair();
    const gone = (await connectedPair()).client;
    gone.destroy();
    const states = snapshot([client, accepted, gone, client]);
    expect(states.map((s) => s.localPort)).toEqual([client.localPort, accepted.localPort, client.localPort]);
  });
});

describe('WatchTable (the monitor tick)', () => {
  it('reports every socket once, then only changes and the sockets marked', async () => {
    const pairs = await Promise.all([connectedPair(), connectedPair(), connectedPair()]);
    const table = new WatchTable();
    const sockets: net.Socket[] = pairs.map((p) => p.client);
    sockets.forEach((s) => table.add(s));
    const poll = (all: boolean): net.Socket[] => {
      const seen: net.Socket[] = [];
      table.poll(all, (socket) => seen.push(socket));
      return seen;
    };
    expect(poll(false)).toHaveLength(3); // first sight
    expect(poll(false)).toEqual([]); // idle: nothing changed
    expect(poll(true)).toHaveLength(3); // tick(): all
    table.reportNext(sockets[1]);
    expect(poll(false)).toEqual([sockets[1]]);
    sockets[2].setKeepAlive(true, 60000); // the keepalive timer is armed: a change
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(poll(false)).toEqual([sockets[2]]);
    table.delete(sockets[0]);
    expect(poll(true)).toHaveLength(2);
  });
});
