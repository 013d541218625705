import OpenAI from 'openai';
import { describeConnectionFailure } from '../lambdas/tag-extraction/adapters/model-errors.js';
import { readModelLifecycle } from '../lambdas/tag-extraction/adapters/model-lifecycle.js';

/** Where `npm start` sends extraction requests. */
export interface ModelServerTarget {
  /** Undefined: api.openai.com. */
  baseUrl?: string;
  apiKey: string;
  model: string;
}

/**
 * Checks the configured model server once, at start: reachable, whether it knows the model, and
 * the model's shutdown date. Returns one line for the banner; never throws (a failed check must
 * not stop the stack: the extraction retries, and the line says why it will fail).
 */
export async function checkModelServer(target: ModelServerTarget, now = new Date()): Promise<string> {
  const where = target.baseUrl ?? 'https://api.openai.com/v1';
  const client = new OpenAI({ apiKey: target.apiKey, baseURL: target.baseUrl, maxRetries: 0, timeout: 5_000 });
  try {
    const lifecycle = await readModelLifecycle(client, target.model, now);
    if (!lifecycle.known) return `${where} reachable, but it does not know model ${target.model} (${lifecycle.reason})`;
    if (lifecycle.shutdownDate === undefined) return `${where} reachable, model ${target.model} known, no shutdown date announced`;
    return `${where} reachable, model ${target.model} known, SHUTS DOWN ON ${lifecycle.shutdownDate} (in ${lifecycle.daysToShutdown} days): set OPENAI_MODEL or OPENAI_FALLBACK_MODELS`;
  } catch (error) {
    if (error instanceof OpenAI.APIConnectionError) return `unreachable: ${describeConnectionFailure(error, target.baseUrl)}`;
    const status = (error as { status?: unknown }).status;
    return `${where} answered ${typeof status === 'number' ? status : 'an error'} to GET /models/${target.model}: ${(error as Error).message}`;
  }
}
