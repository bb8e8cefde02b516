// Text rendering for `watch`: a fixed-width table and plain one-line-per-connection output.
import type { WatchRow } from './collect';

/** ms as a short human duration: 850ms, 4.2s, 1m05s, 2h00m. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

const COLUMNS = ['LOCAL', 'REMOTE', 'STATE', 'KEEPALIVE', 'IDLE/INTVL/CNT', 'USER_TO', 'TIMER', 'EXPIRES', 'PROBES', 'LAST_RECV', 'RTO'] as const;

function cells(row: WatchRow): string[] {
  const s = row.settings;
  const info = row.tcpInfo;
  return [
    endpoint(row.localAddress, row.localPort),
    endpoint(row.remoteAddress, row.remotePort),
    row.state,
    s ? (s.enable ? 'on' : 'off') : '?',
    s ? `${duration(s.idle)}/${duration(s.interval)}/${s.count}` : '?',
    s ? (s.userTimeout ? duration(s.userTimeout) : 'default') : '?',
    row.timer,
    row.timer === 'none' ? '-' : duration(row.expiresIn),
    String(row.probesOut) + (s?.enable ? `/${s.count}` : ''),
    info ? duration(Math.min(info.lastDataReceived, info.lastAckReceived)) : '-',
    info ? duration(info.rto) : '-',
  ];
}

/** An aligned table with a header line; probing rows are marked with '!'. */
export function table(rows: WatchRow[]): string {
  const lines = [[...COLUMNS] as string[], ...rows.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...lines.map((line) => line[i].length)));
  return lines
    .map((line, n) => {
      const mark = n > 0 && rows[n - 1].probesOut > 0 ? '!' : ' ';
      return mark + line.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
    })
    .join('\n');
}

/** One line per connection, key=value, for scripts and logs. */
export function plain(rows: WatchRow[]): string {
  return rows
    .map((row) => {
      const s = row.settings;
      const parts = [
        `local=${endpoint(row.localAddress, row.localPort)}`,
        `remote=${endpoint(row.remoteAddress, row.remotePort)}`,
        `state=${row.state}`,
        `keepalive=${s ? (s.enable ? 'on' : 'off') : '?'}`,
        `idle=${s ? s.idle : '?'}`,
        `interval=${s ? s.interval : '?'}`,
        `count=${s ? s.count : '?'}`,
        `userTimeout=${s ? s.userTimeout : '?'}`,
        `timer=${row.timer}`,
        `expiresIn=${row.expiresIn}`,
        `probesOut=${row.probesOut}`,
        `inode=${row.inode}`,
      ];
      return parts.join(' ');
    })
    .join('\n');
}
