// `tcp-keepalive exporter` without privileges: strict flags (one line, exit 2), a process of this
// user exported by pid, a missing process reported (process_up 0, one line on stderr).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseExporterArgs } from '../../lib/cli/exporter';

const BIN = join(__dirname, '..', '..', 'bin', 'tcp-keepalive.js');

function exporter(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, 'exporter', ...args], { encoding: 'utf8', timeout: 10000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tcp-keepalive exporter flags', () => {
  it.each([
    [[], 'at least one --pid PID is needed'],
    [['--pid'], '--pid needs a process id'],
    [['--pid', 'abc'], "--pid needs a process id (1-4194304), got 'abc'"],
    [['--pid', '1', '--pid', '1'], '--pid 1 given twice'],
    [['--pid', '1', '--listen', '9464'], '--listen needs HOST:PORT'],
    [['--pid', '1', '--listen', '127.0.0.1:70000'], '--listen port must be between 0 and 65535'],
    [['--pid', '1', '--listen', '[::1]:1', '--listen', '[::1]:2'], '--listen given twice'],
    [['--help=yes'], '--help takes no value'],
  ])('%j is refused: %s', (args, message) => {
    expect(() => parseExporterArgs(args as string[])).toThrow(message);
  });

  it('accepts repeated pids and an IPv6 listen address', () => {
    expect(parseExporterArgs(['--pid', '7', '--pid=8', '--listen', '[::1]:0'])).toEqual({ pids: [7, 8], host: '::1', port: 0, help: false });
  });

  it('prints one line and exits 2 for a bad flag', () => {
    const { status, stdout, stderr } = exporter(['--pid', '1', '--port', '9']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("tcp-keepalive exporter: unknown option '--port' (see tcp-keepalive exporter --help)\n");
  });

  it('--help says what it can see without privileges', () => {
    const { status, stdout } = exporter(['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('Without privileges');
    expect(stdout).toContain('Deaths and their causes are not counted by the exporter');
  });
});

describe('tcp-keepalive exporter', () => {
  let app: ChildProcess;
  let server: ChildProcess | undefined;
  afterEach(async () => {
    for (const child of [server, app]) {
      if (child && child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    }
  });

  it('serves the gauges of another process of this user, and process_up 0 for a missing one', async () => {
    // A process holding one loopback connection (both ends), keepalive idle 30 s on one end.
    const script = `const net = require('net'); const { setKeepAlive } = require(${JSON.stringify(join(__dirname, '..', '..'))});
      const s = net.createServer(() => {}).listen(0, '127.0.0.1', () => { const c = net.connect(s.address().port, '127.0.0.1', () => {
        setKeepAlive(c, { idle: 30000 }); console.log('ready'); }); });`;
    app = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(app.stdout!, 'data');
    server = spawn(process.execPath, [BIN, 'exporter', '--pid', String(app.pid), '--pid', '4194303', '--listen', '127.0.0.1:0']);
    let stdout = '';
    let stderr = '';
    server.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 10000;
    let match: RegExpExecArray | null = null;
    for (let i = 0; i < 500 && !(match = /127\.0\.0\.1:(\d+)\/metrics/.exec(stdout)) && Date.now() < deadline; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(match).not.toBeNull();
    const response = await fetch(`http://127.0.0.1:${match![1]}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    const labels = `pid="${app.pid}",process="node"`;
    expect(text).toContain(`tcp_keepalive_exporter_process_up{${labels}} 1`);
    expect(text).toContain('tcp_keepalive_exporter_process_up{pid="4194303",process=""} 0');
    expect(text).toContain(`tcp_keepalive_connections{${labels},state="ESTABLISHED",timer="keepalive"} 1`);
    expect(text).toContain(`tcp_keepalive_connections{${labels},state="ESTABLISHED",timer="none"} 1`);
    expect(text).toContain(`tcp_keepalive_probing_connections{${labels}} 0`);
    expect(text).toContain(`tcp_keepalive_configured_idle_seconds_sum{${labels}} 30`);
    expect(stderr.trim()).toBe('tcp-keepalive exporter: no process with pid 4194303');
    expect((await fetch(`http://127.0.0.1:${match![1]}/other`)).status).toBe(404);
  });
});
