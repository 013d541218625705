import type { ChatCompletion } from 'openai/resources/chat/completions';
import { parseChatCompletion } from 'openai/lib/parser';
import type { SamplingParameters } from './adapters/model-parameters.js';
import { serviceTierField } from './adapters/service-tier.js';
import { ANSWER_MAX_OUTPUT_TOKENS, ANSWER_RESPONSE_FORMAT } from './answer-schema.js';
import { PermanentError, RetryableError } from './domain/errors.js';
import type { RawExtraction } from './domain/ports.js';
import type { ServiceTier } from './model-settings.js';
import { promptMessages, type PromptTemplate } from './prompts.js';

/**
 * The one home of what an extraction asks the model: the live path (OpenAiTagExtractor, one
 * chat completion per job) and the backfill (one line of a Batch API file per entry) both send
 * this body and read the answer with answerOfCompletion, so a change of prompt, schema or model
 * settings reaches both.
 */

/**
 * Output tokens a reasoning model may spend on reasoning before its answer, on top of the
 * answer's own cap: at `reasoning_effort: low` a short extraction reasons in far fewer.
 */
const REASONING_TOKEN_ALLOWANCE = 4_096;

/** The API path both paths call: the live one directly, the backfill as its batch's `endpoint`. */
export const EXTRACTION_ENDPOINT = '/v1/chat/completions';

/**
 * The chat completions body of one extraction: prompt, structured-output schema, sampling, output
 * cap and, for a live call, its service tier (a batch line has none: the Batch API has its own price).
 */
export function extractionRequestBody(
  model: string,
  prompt: PromptTemplate,
  entryText: string,
  sampling: SamplingParameters,
  serviceTier?: ServiceTier,
) {
  return {
    model,
    messages: promptMessages(prompt, entryText),
    response_format: ANSWER_RESPONSE_FORMAT,
    ...sampling,
    ...(serviceTier ? serviceTierField(serviceTier) : {}),
    max_completion_tokens:
      ANSWER_MAX_OUTPUT_TOKENS + (sampling.reasoning_effort && sampling.reasoning_effort !== 'none' ? REASONING_TOKEN_ALLOWANCE : 0),
  };
}

/** The body extractionRequestBody builds. */
export type ExtractionRequestBody = ReturnType<typeof extractionRequestBody>;

/**
 * Parses a chat completion answering an extraction request as the SDK's `chat.completions.parse`
 * does (against the same response format; it throws LengthFinishReasonError or
 * ContentFilterFinishReasonError on those finishes), for answers that come back in a batch
 * output file rather than from a call.
 */
export function parseExtractionCompletion(completion: ChatCompletion) {
  const params: Pick<ExtractionRequestBody, 'model' | 'messages' | 'response_format'> = {
    model: completion.model,
    messages: [],
    response_format: ANSWER_RESPONSE_FORMAT,
  };
  return parseChatCompletion(completion, params);
}

/** The tags and provenance of a parsed answer; a refusal is permanent, an answer without content retryable. */
export function answerOfCompletion(
  completion: ReturnType<typeof parseExtractionCompletion>,
  requestedModel: string,
): Omit<RawExtraction, 'latencyMs'> {
  const message = completion.choices[0]?.message;
  // The refusal's words may quote the entry, so they stay out of the error (and the logs).
  if (message?.refusal) throw new PermanentError('the model refused to answer', { reason: 'model-refused' });
  if (!message?.parsed) throw new RetryableError('model returned no parsable answer', undefined, { reason: 'answer-unreadable' });
  return {
    tags: message.parsed.technologies,
    model: completion.model || requestedModel,
    usage: completion.usage && { inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens },
  };
}
