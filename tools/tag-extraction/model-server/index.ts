/** The one scriptable OpenAI-format server of the repo (tests, bench, local stand-in); see README.md. */
export {
  type FaultCounts,
  flexUnavailable,
  OFFLINE_DICTIONARY_MODEL,
  offlineDictionary,
  type RandomFaults,
  rateLimited,
  withRandomFaults,
} from './answers.js';
export {
  type Answer,
  type BatchControls,
  type ModelRequest,
  type ModelServer,
  type ModelServerOptions,
  type ModelSpec,
  type ModelUsage,
  type Reply,
  startModelServer,
} from './server.js';
export { completionTokensOf, promptTokensOf } from './wire.js';
export type { BatchObject } from './batches.js';
