// ESM entry of `tcp-keepalive/metrics`: the CommonJS build, so both module systems share one
// module instance (and one native binding) with the main entry.
export * from './dist/metrics/index.js';
export { default } from './dist/metrics/index.js';
