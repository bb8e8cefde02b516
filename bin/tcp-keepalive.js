#!/usr/bin/env node
'use strict';
// Command-line entry: `tcp-keepalive demo`, `watch` and `exporter` (see --help).
const commands = {
  demo: () => require('../dist/cli/demo').runDemo(process.argv.slice(1)),
  watch: () => require('../dist/cli/watch').runWatch(process.argv.slice(3)),
  exporter: () => require('../dist/cli/exporter').runExporter(process.argv.slice(3)),
};

const usage = `Usage: tcp-keepalive <command> [options]

Commands:
  demo     open a loopback connection with keepalive (idle 2 s, interval 1 s, count 3), print the
           kernel's read-back and live TCP_INFO, then cut the path and show the kernel detecting
           the dead peer (ETIMEDOUT). Needs no root (uses unshare -rn).
  watch    a live table of TCP connections with their keepalive settings, timer and probe
           counters, like top for keepalive (tcp-keepalive watch --help for its options)
  exporter serves /metrics in the Prometheus text format for other processes' connections
           (tcp-keepalive exporter --pid PID [--pid PID ...] [--listen 127.0.0.1:9464]; --help)
  help     show this text`;

const name = process.argv[2];
if (!name || name === 'help' || name === '--help' || name === '-h') {
  console.log(usage);
  process.exit(name ? 0 : 2);
}
const command = commands[name];
if (!command) {
  console.error(`tcp-keepalive: unknown command "${name}"\n\n${usage}`);
  process.exit(2);
}
command().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`tcp-keepalive ${name}: ${error && error.message}`);
    process.exit(1);
  },
);
