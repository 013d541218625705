import { zodResponseFormat } from 'openai/helpers/zod';
import * as z from 'zod';
import { MAX_TAG_LENGTH, MAX_TAGS_PER_ENTRY } from './domain/post-process.js';

/** What the model must answer: the technologies named in the entry, nothing else. */
export const TechStackAnswerSchema = z.object({
  technologies: z.array(z.string()).describe('Technologies named in the entry, each spelled exactly as in the entry text.'),
});

/** The `response_format` every extraction request sends: the answer schema as strict JSON Schema. */
export const ANSWER_RESPONSE_FORMAT = zodResponseFormat(TechStackAnswerSchema, 'tech_stack');

/*
 * The cap is sized for the largest answer we would keep: MAX_TAGS_PER_ENTRY names of
 * MAX_TAG_LENGTH characters, at a pessimistic 3 characters per token (tokenizers average about
 * 4 on names like these), plus quotes and a comma per name and the object around the list.
 * An answer that needs more is not one we would keep, and without a cap a model that loops
 * bills output until the function's deadline.
 */
const PESSIMISTIC_CHARS_PER_TOKEN = 3;
const TOKENS_AROUND_EACH_NAME = 3;
const TOKENS_AROUND_THE_LIST = 16;

/** Output-token cap of one answer (`max_completion_tokens`), sized for the answer schema. */
export const ANSWER_MAX_OUTPUT_TOKENS =
  MAX_TAGS_PER_ENTRY * (Math.ceil(MAX_TAG_LENGTH / PESSIMISTIC_CHARS_PER_TOKEN) + TOKENS_AROUND_EACH_NAME) + TOKENS_AROUND_THE_LIST;
