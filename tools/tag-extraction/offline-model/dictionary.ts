import { linguistLanguages } from './languages.js';
import { CURATED_TECHNOLOGIES, MATCH_RULES, type MatchRule } from './technologies.js';

/** One way of writing a technology, ready to be searched for. */
export interface Spelling {
  /** As listed in the dictionary. */
  spelling: string;
  /** The technology's identity (its first listed name, lower case): one tag per technology. */
  technology: string;
  rule: MatchRule;
  /** Finds the spelling as a whole name (global; case-insensitive unless the rule says otherwise). */
  pattern: RegExp;
  /** Lower case, single-spaced: a cheap substring test before the regular expression runs. */
  needle: string;
}

// Letters, digits and "_" glued to a name make it part of another word ("Go" in "Google", "cron" in
// "crontab"); other symbols ("Flask-App", "Elixir's", "(HikariCP)") end it.
const NOT_GLUED_BEFORE = '(?<![\\p{L}\\p{N}_])';
const NOT_GLUED_AFTER = '(?![\\p{L}\\p{N}_])';

/** Every spelling of every technology: the curated list first, then Linguist's languages. */
export function buildDictionary(): Spelling[] {
  const spellings: Spelling[] = [];
  const taken = new Set<string>();
  const add = (spelling: string, technology: string) => {
    const needle = normalise(spelling);
    if (taken.has(needle)) return;
    taken.add(needle);
    const rule = MATCH_RULES[spelling] ?? defaultRule(spelling);
    spellings.push({ spelling, technology, rule, pattern: compile(spelling, rule), needle });
  };
  for (const entries of Object.values(CURATED_TECHNOLOGIES)) {
    for (const entry of entries) {
      const [name, ...aliases] = entry.split('|') as [string, ...string[]];
      for (const spelling of [name, ...aliases]) add(spelling, normalise(name));
    }
  }
  for (const language of linguistLanguages()) {
    // A language the curated list already has (under any of its spellings) keeps the curated rules.
    if (language.spellings.some((spelling) => taken.has(normalise(spelling)))) continue;
    for (const spelling of language.spellings) add(spelling, normalise(language.name));
  }
  return spellings;
}

/** Lower case with single spaces: how spellings and tags are compared. */
export function normalise(value: string): string {
  return value.replace(/\s+/gu, ' ').trim().toLocaleLowerCase();
}

// Short all-capital names (AWS, SAP, ELK, S3, HTML) are acronyms only in capitals; in lower case
// they are words ("sap", "elk") or file extensions ("index.html").
function defaultRule(spelling: string): MatchRule {
  return /^[A-Z][A-Z0-9]{1,4}$/u.test(spelling) ? 'exact-case' : 'any-case';
}

function compile(spelling: string, rule: MatchRule): RegExp {
  const body = spelling
    .split(' ')
    .map((word) => word.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&'))
    .join('\\s+');
  const flags = rule === 'any-case' || rule === 'case-or-context' ? 'giu' : 'gu';
  return new RegExp(`${NOT_GLUED_BEFORE}${body}${NOT_GLUED_AFTER}`, flags);
}
