/**
 * The banner of every ESM bundle we build (the functions, their lazy modules, the bench's floor):
 * some bundled CommonJS dependencies call require() for Node built-ins, which ESM lacks.
 */
export const ESM_REQUIRE_SHIM =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";
