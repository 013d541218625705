import type OpenAI from 'openai';

/** What `GET /v1/models/{id}` says about a model. */
export type ModelLifecycle =
  | { model: string; known: true; shutdownDate?: string; daysToShutdown?: number }
  | { model: string; known: false; reason: string };

const DAY_MS = 86_400_000;

/** Whole days from `now` to the start (UTC) of `date` (YYYY-MM-DD); negative once it has passed. */
export function daysUntil(date: string, now: Date): number {
  return Math.floor((Date.parse(`${date}T00:00:00Z`) - now.getTime()) / DAY_MS);
}

/**
 * Reads a model's `shutdown_date` (OpenAI documents it as optional, YYYY-MM-DD or null). A 404
 * means the server does not know the model; other failures are thrown to the caller.
 */
export async function readModelLifecycle(client: OpenAI, model: string, now: Date): Promise<ModelLifecycle> {
  try {
    const found = (await client.models.retrieve(model)) as { shutdown_date?: string | null };
    const shutdownDate = typeof found.shutdown_date === 'string' ? found.shutdown_date : undefined;
    return shutdownDate ? { model, known: true, shutdownDate, daysToShutdown: daysUntil(shutdownDate, now) } : { model, known: true };
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return { model, known: false, reason: (error as Error).message };
    throw error;
  }
}

/** Receives what the lifecycle guard found, one model at a time. */
export type LifecycleListener = (lifecycle: ModelLifecycle) => void;

/**
 * Reads the lifecycle of every model in use, once per container, in the background: the first
 * call starts it and returns at once, so no extraction waits for it. A failed read is reported as
 * "not known" with its reason and never fails an extraction.
 */
export function modelLifecycleGuard(
  client: () => Promise<OpenAI>,
  models: readonly string[],
  listener: LifecycleListener,
  now: () => Date = () => new Date(),
): () => void {
  let started = false;
  return () => {
    if (started) return;
    started = true;
    void (async () => {
      for (const model of models) {
        try {
          listener(await readModelLifecycle(await client(), model, now()));
        } catch (error) {
          listener({ model, known: false, reason: (error as Error)?.message ?? String(error) });
        }
      }
    })();
  };
}
