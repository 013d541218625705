import * as z from 'zod';

/** What the model must answer: the technologies named in the entry, nothing else. */
export const TechStackAnswerSchema = z.object({
  technologies: z
    .array(z.string())
    .describe('Technologies named in the entry, each spelled exactly as in the entry text.'),
});
