// Two test hosts in network namespaces joined by veth (optionally through a router namespace),
// with ways to cut and heal the path and to read the kernel's own counters inside a namespace.
// Addresses (10.77.x.y) exist only inside these namespaces. Names carry the pid, so a later run
// can tell namespaces of crashed runs (dead pid) from those of a run still going.
//
//   await withTopology({ router: false }, async (t) => {
//     const peer = await t.agent(t.b);                    // Node process inside b's namespace
//     const { port } = await peer.request<{ port: number }>('listen', { host: t.b.address });
//     const host = await t.agent(t.a);
//     const { sock } = await host.request<{ sock: string }>('connect', { host: t.b.address, port, keepAlive: {...} });
//     t.cut('drop');                                       // the peer vanishes silently
//     const error = await host.errorOf(sock, 8000);        // { code, sinceLastReceive, probeLog }
//   });                                                    // namespaces and agents always removed
import { execFileSync } from 'node:child_process';
import { Agent } from './agent';

export const NETNS_PREFIX = 'tka-';
const OWN = new RegExp(`^${NETNS_PREFIX}(\\d+)-`);

/** Runs a command and returns stdout; throws with stderr on failure. */
export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 10000 });
}

function listNamespaces(): string[] {
  return sh('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter(Boolean);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces left by earlier runs of this harness whose process is gone. Returns their names. */
export function sweepStaleNamespaces(): string[] {
  const stale = listNamespaces().filter((name) => {
    const match = OWN.exec(name);
    return match !== null && !pidAlive(Number(match[1]));
  });
  for (const name of stale) deleteNamespace(name);
  return stale;
}

function deleteNamespace(name: string): void {
  try {
    sh('ip', ['netns', 'del', name]);
  } catch {
    // Already gone.
  }
}

// Namespaces of this process, removed at exit even if a test forgot (or crashed before) cleanup.
const live = new Set<string>();
process.on('exit', () => {
  for (const name of live) deleteNamespace(name);
});

let counter = 0;

/** One network namespace. */
export class Namespace {
  private constructor(readonly name: string) {}

  static create(role: string): Namespace {
    const name = `${NETNS_PREFIX}${process.pid}-${++counter}-${role}`;
    sh('ip', ['netns', 'add', name]);
    live.add(name);
    const ns = new Namespace(name);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** `ip -n NAME ...` */
  ip(...args: string[]): string {
    return sh('ip', ['-n', this.name, ...args]);
  }

  /** Runs a program inside the namespace. */
  exec(cmd: string, args: string[] = [], input?: string): string {
    return sh('ip', ['netns', 'exec', this.name, cmd, ...args], input);
  }

  sysctl(key: string, value: string | number): void {
    this.exec('sysctl', ['-qw', `${key}=${value}`]);
  }

  /** Loads an nft script (`nft -f -`) in the namespace. */
  nft(script: string): void {
    this.exec('nft', ['-f', '-'], script);
  }

  /** Packets counted by the named nft counter `inet tka NAME`. */
  nftCounter(name: string): number {
    const out = JSON.parse(this.exec('nft', ['-j', 'list', 'counter', 'inet', 'tka', name])) as {
      nftables: { counter?: { packets: number } }[];
    };
    const found = out.nftables.find((item) => item.counter);
    if (!found?.counter) throw new Error(`nft counter ${name} not found in ${this.name}`);
    return found.counter.packets;
  }

  /**
   * Kernel counters as seen inside the namespace: `TcpExt` of /proc/net/netstat (TCPKeepAlive,
   * TCPAbortOnTimeout, ...) or a section of /proc/net/snmp (`Icmp`: InDestUnreachs, ...).
   */
  counters(section: 'TcpExt' | 'Tcp' | 'Icmp' | 'Ip'): Record<string, number> {
    const file = section === 'TcpExt' ? '/proc/net/netstat' : '/proc/net/snmp';
    const lines = this.exec('cat', [file]).split('\n');
    const header = lines.findIndex((line) => line.startsWith(`${section}:`));
    if (header < 0) throw new Error(`no ${section} in ${file}`);
    const names = lines[header].split(/\s+/).slice(1);
    const values = lines[header + 1].split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(names.map((name, i) => [name, values[i]]));
  }

  /** Keepalive probes this namespace's TCP has sent so far (TcpExt.TCPKeepAlive). */
  keepAliveProbesSent(): number {
    return this.counters('TcpExt').TCPKeepAlive;
  }

  mac(dev: string): string {
    const [link] = JSON.parse(this.ip('-j', 'link', 'show', 'dev', dev)) as { address: string }[];
    return link.address;
  }

  destroy(): void {
    deleteNamespace(this.name);
    live.delete(this.name);
  }
}

/** A test host: its namespace, its address and the device its traffic leaves by. */
export interface Host {
  ns: Namespace;
  address: string;
  dev: string;
}

/**
 * How the peer (host b) vanishes:
 * - `link-down`: b's interface goes down (power off / cable cut); a's sends are silently lost.
 * - `drop`: an nft rule in b drops everything from a (host frozen / firewall); counter `dropped`.
 * - `drop-output`: an nft rule in b drops everything b sends (used to hide a reset); counter `dropped`.
 * - `partition`: nft rules in both hosts drop what arrives from the other (both ends see silence).
 * - `blackhole`: a blackhole route for b's address on the router (or, without one, for a's address in b).
 * - `host-unreachable` (router only): b's link goes down and the router, failing to resolve b,
 *   answers a's packets with ICMP host unreachable.
 */
export type CutMethod = 'link-down' | 'drop' | 'drop-output' | 'partition' | 'blackhole' | 'host-unreachable';

export interface TopologyOptions {
  /** Put a router namespace between a and b (a: 10.77.1.1, router, b: 10.77.2.2). */
  router?: boolean;
}

const SUBNET_A = '10.77.1';
const SUBNET_B = '10.77.2';

/** Two hosts (a: the side under test, b: its peer), optionally a router between them. */
export class Topology {
  readonly agents: Agent[] = [];
  private readonly undo: (() => void)[] = [];
  private readonly namespaces: Namespace[];

  private constructor(readonly a: Host, readonly b: Host, readonly router: Namespace | null) {
    this.namespaces = [a.ns, b.ns, ...(router ? [router] : [])];
  }

  static create(options: TopologyOptions = {}): Topology {
    sweepStaleNamespaces();
    const made: Namespace[] = [];
    try {
      const nsA = Namespace.create('a');
      made.push(nsA);
      const nsB = Namespace.create('b');
      made.push(nsB);
      if (!options.router) {
        const a = { ns: nsA, address: `${SUBNET_A}.1`, dev: 'tka0' };
        const b = { ns: nsB, address: `${SUBNET_A}.2`, dev: 'tka0' };
        link(a, b, 24);
        return new Topology(a, b, null);
      }
      const router = Namespace.create('r');
      made.push(router);
      const a = { ns: nsA, address: `${SUBNET_A}.1`, dev: 'tka0' };
      const b = { ns: nsB, address: `${SUBNET_B}.2`, dev: 'tka0' };
      link(a, { ns: router, address: `${SUBNET_A}.254`, dev: 'tka-a' }, 24);
      link(b, { ns: router, address: `${SUBNET_B}.254`, dev: 'tka-b' }, 24);
      nsA.ip('route', 'add', 'default', 'via', `${SUBNET_A}.254`);
      nsB.ip('route', 'add', 'default', 'via', `${SUBNET_B}.254`);
      router.sysctl('net.ipv4.ip_forward', 1);
      // Answer every packet for a vanished host (no ICMP rate limit) and give up resolving fast.
      router.sysctl('net.ipv4.icmp_ratelimit', 0);
      router.sysctl('net.ipv4.neigh.tka-b.mcast_solicit', 1);
      router.sysctl('net.ipv4.neigh.tka-b.retrans_time_ms', 100);
      return new Topology(a, b, router);
    } catch (error) {
      for (const ns of made) ns.destroy();
      throw error;
    }
  }

  /** Starts an agent (a Node process running the package) on a host. */
  async agent(host: Host): Promise<Agent> {
    const agent = await Agent.start(host.ns.name);
    this.agents.push(agent);
    return agent;
  }

  /** The peer vanishes from the path, by `method`. `heal()` undoes it. */
  cut(method: CutMethod): void {
    const { a, b, router } = this;
    switch (method) {
      case 'link-down':
        b.ns.ip('link', 'set', 'dev', b.dev, 'down');
        this.undo.push(() => b.ns.ip('link', 'set', 'dev', b.dev, 'up'));
        return;
      case 'drop':
        this.dropRule(b.ns, 'input', `ip saddr ${a.address}`);
        return;
      case 'drop-output':
        this.dropRule(b.ns, 'output', `ip daddr ${a.address}`);
        return;
      case 'partition':
        this.dropRule(b.ns, 'input', `ip saddr ${a.address}`);
        this.dropRule(a.ns, 'input', `ip saddr ${b.address}`);
        return;
      case 'blackhole': {
        const [where, target] = router ? [router, b.address] : [b.ns, a.address];
        where.ip('route', 'add', 'blackhole', `${target}/32`);
        this.undo.push(() => where.ip('route', 'del', 'blackhole', `${target}/32`));
        return;
      }
      case 'host-unreachable': {
        if (!router) throw new Error('host-unreachable needs a topology with a router');
        const mac = b.ns.mac(b.dev);
        b.ns.ip('link', 'set', 'dev', b.dev, 'down');
        router.ip('neigh', 'del', b.address, 'dev', 'tka-b');
        this.undo.push(() => {
          b.ns.ip('link', 'set', 'dev', b.dev, 'up');
          router.ip('neigh', 'replace', b.address, 'lladdr', mac, 'dev', 'tka-b', 'nud', 'permanent');
        });
        return;
      }
    }
  }

  // Counter `dropped` of table `inet tka` counts what the rule discarded (an independent observer).
  private dropRule(ns: Namespace, hook: 'input' | 'output', match: string): void {
    ns.nft(`table inet tka {
      counter dropped { }
      chain cut { type filter hook ${hook} priority -10; policy accept; ${match} counter name dropped drop; }
    }`);
    this.undo.push(() => ns.exec('nft', ['delete', 'table', 'inet', 'tka']));
  }

  /**
   * Turns the router into a stateful middlebox: conntrack forgets an established flow after
   * `idleTimeoutSec` of silence, and packets of flows it does not know are dropped (counter
   * `untracked` of table `inet tka` in the router).
   */
  middlebox(idleTimeoutSec: number): void {
    const router = this.router;
    if (!router) throw new Error('a middlebox needs a topology with a router');
    router.sysctl('net.netfilter.nf_conntrack_tcp_timeout_established', idleTimeoutSec);
    // No mid-stream pickup: a packet of a forgotten flow is invalid, not a new flow.
    router.sysctl('net.netfilter.nf_conntrack_tcp_loose', 0);
    router.nft(`table inet tka {
      counter untracked { }
      chain forward {
        type filter hook forward priority 0; policy accept;
        ct state established,related accept
        ct state new tcp flags & (syn | ack | fin | rst) == syn accept
        counter name untracked drop
      }
    }`);
  }

  /** Undoes every cut, newest first. */
  heal(): void {
    while (this.undo.length) this.undo.pop()!();
  }

  /** Stops the agents and removes the namespaces (veth pairs go with them). Safe to call twice. */
  async destroy(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.stopped()));
    this.agents.length = 0;
    for (const ns of this.namespaces) ns.destroy();
  }
}

// A veth pair between two hosts with addresses and permanent neighbour entries: no ARP runs, so
// a cut path is pure silence (an ARP failure would feed TCP a soft EHOSTUNREACH instead).
function link(x: Host, y: Host, prefix: number): void {
  x.ns.ip('link', 'add', x.dev, 'type', 'veth', 'peer', 'name', y.dev, 'netns', y.ns.name);
  for (const host of [x, y]) {
    host.ns.ip('addr', 'add', `${host.address}/${prefix}`, 'dev', host.dev);
    host.ns.ip('link', 'set', 'dev', host.dev, 'up');
  }
  x.ns.ip('neigh', 'replace', y.address, 'lladdr', y.ns.mac(y.dev), 'dev', x.dev, 'nud', 'permanent');
  y.ns.ip('neigh', 'replace', x.address, 'lladdr', x.ns.mac(x.dev), 'dev', y.dev, 'nud', 'permanent');
}

/** Creates a topology, runs `body`, and always removes it. */
export async function withTopology<T>(options: TopologyOptions, body: (topology: Topology) => Promise<T>): Promise<T> {
  const topology = Topology.create(options);
  try {
    return await body(topology);
  } finally {
    await topology.destroy();
  }
}
