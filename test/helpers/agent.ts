// Parent side of netns-agent.js: one Node process per test host, driven by JSON lines.
// Every request and every wait is bounded in time; the agent exits when we close its stdin.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

// Found from the package root, so this also works when compiled elsewhere (scripts/faults-report).
function packageRoot(from: string): string {
  for (let dir = from, i = 0; i < 10; dir = path.dirname(dir), i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'test', 'helpers'))) return dir;
  }
  throw new Error(`package root not found above ${from}`);
}

export const PACKAGE_ROOT = packageRoot(__dirname);
const AGENT_SCRIPT = path.join(PACKAGE_ROOT, 'test', 'helpers', 'netns-agent.js');

/** An unsolicited message from an agent ('ready', 'accepted', 'data', 'probes', 'error', 'end', 'close'). */
export interface AgentEvent {
  event: string;
  sock?: string;
  code?: string;
  syscall?: string;
  /** ms between the socket's last received data and this event (measured inside the agent). */
  sinceLastReceive?: number;
  probes?: number;
  probeLog?: { probes: number; sinceLastReceive: number }[];
  [key: string]: unknown;
}

interface Reply {
  id?: number;
  ok?: boolean;
  result?: unknown;
  error?: { message: string; code?: string };
}

export class Agent {
  readonly events: AgentEvent[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly waiters = new Set<() => void>();
  private nextId = 1;
  private stderr = '';
  private exited = false;

  private constructor(readonly namespace: string) {
    // `ip netns exec` execs node in place: the child's pid is the agent's pid.
    this.child = spawn('ip', ['netns', 'exec', namespace, process.execPath, AGENT_SCRIPT], { stdio: 'pipe' });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.child.on('exit', () => {
      this.exited = true;
      for (const { reject } of this.pending.values()) reject(new Error(`agent in ${namespace} exited: ${this.stderr}`));
      this.pending.clear();
      this.notify();
    });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => this.receive(line));
  }

  /** Starts an agent inside `namespace` and waits until it is ready. */
  static async start(namespace: string, timeoutMs = 10000): Promise<Agent> {
    const agent = new Agent(namespace);
    try {
      await agent.waitFor((e) => e.event === 'ready', timeoutMs);
    } catch (error) {
      agent.stop();
      throw error;
    }
    return agent;
  }

  private receive(line: string): void {
    let message: Reply & AgentEvent;
    try {
      message = JSON.parse(line);
    } catch {
      this.stderr += `\n[unparsed stdout] ${line}`;
      return;
    }
    if (typeof message.id === 'number' && this.pending.has(message.id)) {
      const { resolve, reject } = this.pending.get(message.id)!;
      this.pending.delete(message.id);
      if (message.ok) resolve(message.result);
      else reject(Object.assign(new Error(`agent: ${message.error?.message}`), { code: message.error?.code }));
      return;
    }
    if (typeof message.event === 'string') {
      this.events.push(message);
      this.notify();
    }
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Sends one command and resolves with its result (rejects on agent error or timeout). */
  request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 10000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`agent in ${this.namespace} has exited: ${this.stderr}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`agent ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => { clearTimeout(timer); resolve(value as T); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      this.child.stdin.write(JSON.stringify({ ...args, id, cmd }) + '\n');
    });
  }

  /** Resolves with the first event (past or future) matching `predicate`; null after `timeoutMs`. */
  waitFor(predicate: (event: AgentEvent) => boolean, timeoutMs: number): Promise<AgentEvent | null> {
    return new Promise((resolve) => {
      const check = (): void => {
        const found = this.events.find(predicate);
        if (found || this.exited) finish(found ?? null);
      };
      const finish = (value: AgentEvent | null): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Like waitFor, but a missing event is an error naming what was awaited. */
  async expectEvent(what: string, predicate: (event: AgentEvent) => boolean, timeoutMs: number): Promise<AgentEvent> {
    const found = await this.waitFor(predicate, timeoutMs);
    if (!found) throw new Error(`no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}`);
    return found;
  }

  /** The 'error' event of `sock`, or null if none arrived within `timeoutMs`. */
  errorOf(sock: string, timeoutMs: number): Promise<AgentEvent | null> {
    return this.waitFor((e) => e.event === 'error' && e.sock === sock, timeoutMs);
  }

  /** Ends the agent (closing stdin makes it exit; SIGKILL if it lingers). */
  stop(): void {
    if (this.exited) return;
    this.child.stdin.end();
    const killer = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, 1000);
    killer.unref();
  }

  /** Resolves when the agent process has exited (bounded). */
  async stopped(timeoutMs = 3000): Promise<void> {
    this.stop();
    if (this.exited) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.child.once('exit', () => { clearTimeout(timer); resolve(); });
    });
  }
}
