export { setKeepAlive, getKeepAlive, type KeepAliveSettings } from './keepalive';
export { getTcpInfo, type TcpInfo, type TcpState } from './tcp-info';
export { capabilities, type Capabilities } from './platform';
export type { KeepAliveOptions } from './options';
export type { CodedError, SystemError } from './errors';
