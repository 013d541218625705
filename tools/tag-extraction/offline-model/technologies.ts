import { readFileSync } from 'node:fs';
import * as z from 'zod';

/*
 * The hand-curated part of the offline model's technology dictionary lives in technologies.json
 * (data, not code: a new technology is a new line there); programming languages come from the
 * maintained `linguist-languages` package, see languages.ts.
 *
 * `technologies`: one technology per string, `Name|Alias|Alias`, by category (the category is
 * documentation only). Every spelling is a name the text may use; the result keeps the text's own
 * spelling, so the first one is only the technology's identity (two spellings of one technology in
 * an entry give one tag). Qualified forms ("Apache Spark", "AWS Lambda", "HashiCorp Vault") are
 * aliases of the short name on purpose: the longest form found in the text is the tag, and the
 * short one is not tagged again for the same occurrence.
 *
 * `matchRules`: spellings that may not match in any case, in groups that say why. Default is
 * 'any-case': distinctive names (Kubernetes, postgres, DOCKER) are technologies however they are
 * written.
 * - 'exact-case': only the listed spelling counts: acronyms and lower-case tools that are words
 *   in another case ("SAP" vs "sap", "perf" vs "Perf").
 * - 'case-or-context': the name is an ordinary word in another case ("react", "a flask of tea",
 *   "a cup of java", "slack"), so the listed spelling counts as it is and any other casing needs a
 *   technical cue like a 'tech-context' name ("in java geschrieben", "react components").
 * - 'tech-context': the name is an ordinary word (or a person, place, German noun) even in this
 *   case ("Go-Live", "mein Chef", "Taylor Swift", "Spring is here", "Der Zustand"), so it also
 *   needs a technical cue nearby; context.ts says which cues count.
 */

const MatchRuleSchema = z.enum(['any-case', 'exact-case', 'case-or-context', 'tech-context']);

/** How a spelling may match: see the comment above. */
export type MatchRule = z.infer<typeof MatchRuleSchema>;

const DictionaryFileSchema = z.strictObject({
  technologies: z.record(z.string(), z.array(z.string().regex(/^[^|]+(\|[^|]+)*$/u))),
  matchRules: z.array(z.strictObject({ why: z.string().min(1), spellings: z.record(z.string(), MatchRuleSchema) })),
});

/** The dictionary file's content, checked: a misspelt rule or a stray key fails the load, not a match. */
export function parseDictionaryFile(content: unknown): z.infer<typeof DictionaryFileSchema> {
  return DictionaryFileSchema.parse(content);
}

const file = parseDictionaryFile(JSON.parse(readFileSync(new URL('./technologies.json', import.meta.url), 'utf8')));

/** Curated technologies by category. */
export const CURATED_TECHNOLOGIES: Readonly<Record<string, readonly string[]>> = file.technologies;

/** The spellings whose match rule is not the default, from all groups. */
export const MATCH_RULES: Readonly<Record<string, MatchRule>> = Object.assign({}, ...file.matchRules.map((group) => group.spellings));
