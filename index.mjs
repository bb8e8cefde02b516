// ESM entry: re-exports the CommonJS build (named exports found by Node's CJS lexer), so both
// module systems share one module instance and one native binding.
export * from './dist/index.js';
export { default } from './dist/index.js';
