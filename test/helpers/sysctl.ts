import { readFileSync } from 'node:fs';

/** The namespace's keepalive defaults, as the kernel reports them for sockets that never set them. */
export function keepaliveDefaults(): { idle: number; interval: number; count: number } {
  const read = (name: string): number => Number(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim());
  return {
    idle: read('tcp_keepalive_time') * 1000,
    interval: read('tcp_keepalive_intvl') * 1000,
    count: read('tcp_keepalive_probes'),
  };
}
