import * as z from 'zod';
import { ModelParameters } from '../adapters/model-parameters.js';
import type { ReasoningEffort } from '../model-settings.js';
import { EXTRACTION_ENDPOINT, extractionRequestBody } from '../model-request.js';
import type { JobTarget } from '../domain/ports.js';
import { promptOfVersion } from '../prompts.js';

/** One entry a backfill re-extracts: its key, the revision it was read at, and the tag state it was in. */
export interface BackfillTarget extends JobTarget {
  /** The prompt version that had tagged it when the request was built (undefined: none recorded). */
  builtFromPromptVersion?: number;
}

/** The model settings a backfill's requests are built with: the live extraction's (model-settings.ts). */
export interface BackfillModelSettings {
  model: string;
  reasoningEffort: ReasoningEffort;
  promptVersion: number;
}

const CustomIdSchema = z.tuple([z.string().min(1), z.string().min(1), z.number().int().positive(), z.number().int().nullable()]);

/**
 * The `custom_id` of an entry's request: everything its answer is applied with (owner, entry,
 * revision, tag state), since an output line carries only this id and the answer. OpenAI's
 * reference documents no length limit, only uniqueness within a batch.
 */
export function customIdOf(target: BackfillTarget): string {
  return JSON.stringify([target.ownerId, target.entryId, target.revision, target.builtFromPromptVersion ?? null]);
}

/** The target a `custom_id` names; undefined when it is not one of ours. */
export function targetOfCustomId(customId: string): BackfillTarget | undefined {
  try {
    const parsed = CustomIdSchema.safeParse(JSON.parse(customId));
    if (!parsed.success) return undefined;
    const [ownerId, entryId, revision, builtFrom] = parsed.data;
    return { ownerId, entryId, revision, ...(builtFrom === null ? {} : { builtFromPromptVersion: builtFrom }) };
  } catch {
    return undefined;
  }
}

/**
 * Builds the JSONL lines of a batch input file: per entry, the same chat completions body the
 * live extraction sends (extractionRequestBody, with the sampling parameters ModelParameters
 * gives the model), addressed to the live path's endpoint.
 */
export function batchRequestLines(settings: BackfillModelSettings): (target: BackfillTarget, entryText: string) => string {
  const prompt = promptOfVersion(settings.promptVersion);
  const sampling = new ModelParameters(settings.reasoningEffort).for(settings.model);
  return (target, entryText) =>
    JSON.stringify({
      custom_id: customIdOf(target),
      method: 'POST',
      url: EXTRACTION_ENDPOINT,
      body: extractionRequestBody(settings.model, prompt, entryText, sampling),
    });
}
