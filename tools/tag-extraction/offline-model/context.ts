/**
 * When is an ambiguous name ("Go", "Swift", "Chef", "Zustand") a technology? Only with a technical
 * cue next to it, because the same word in a dev log is as often a verb, a person, a German noun
 * or a business term ("Go-Live", "mit Julia", "mein Chef", "der Zustand des Servers").
 *
 * Cues, strongest first (the first that applies is reported):
 * - `version`: a version number follows ("Go 1.22", "Spark 3.5");
 * - `tech-noun`: the next word (or the one after a lower-case modifier), or the second half of a
 *   hyphenated compound, is a technical noun ("Spark job", "Helm-Chart", "the Go worker",
 *   "the Ruby billing module", "Lambda-Funktionen");
 * - `category-noun`: the word before says what it is ("the language Go", "Framework Express");
 * - `preposition`: a preposition such as in/mit/with/to/auf precedes it and the sentence is
 *   technical: it names another technology or uses a development verb or noun
 *   ("in Go neu geschrieben", "deployed it to Render");
 * - `coordination`: it is listed next to a technology ("Black und Ruff", "Bun instead of Node");
 * - `same-sentence`: the sentence names another technology and no article or possessive makes
 *   the word a common noun ("Karma ... durch Jest ersetzen" but not "meinem Chef ... Django").
 *   Single letters (C, R) never get this weakest cue, nor the version cue ("Raum R 2.14").
 * - `plain-list`: the sentence, or its part after a colon, is nothing but two or more names and
 *   the words that join them ("Go and Rust with Kafka", "Stack: Go, Rust, Kafka"), a newcomer's
 *   typical first try; one other word ("Lunch with Julia and Ruby") makes it prose again.
 *
 * Vetoes come first: a name glued to a preceding word with a hyphen or "&" ("No-Go", "R&D"), or
 * the first half of a hyphenated compound whose second half is not technical ("Go-Live",
 * "Go-to-market", "Lambda-Ausdruck"), is a plain word.
 */

/** A stretch of the entry text that names a technology. */
export interface Span {
  start: number;
  end: number;
}

/** Which cue made an ambiguous name a technology. */
export type ContextCue = 'version' | 'tech-noun' | 'category-noun' | 'preposition' | 'coordination' | 'same-sentence' | 'plain-list';

// A word counts when it is one of these, alone or with a plural or German ending ("Services",
// "Cookbooks", "Funktionen"); prefixes alone would take "Apple" for "app" and "Podcast" for "pod".
const TECH_NOUNS = new Set([
  'api',
  'app',
  'applikation',
  'backend',
  'binary',
  'binaries',
  'binding',
  'broker',
  'build',
  'bundle',
  'chart',
  'cli',
  'client',
  'cluster',
  'code',
  'codebase',
  'compiler',
  'component',
  'komponente',
  'concurrency',
  'config',
  'konfiguration',
  'console',
  'konsole',
  'consumer',
  'container',
  'controller',
  'cookbook',
  'crate',
  'dataframe',
  'datei',
  'deployment',
  'dienst',
  'endpoint',
  'endpunkt',
  'engine',
  'extension',
  'file',
  'framework',
  'frontend',
  'function',
  'funktion',
  'generic',
  'handler',
  'hook',
  'image',
  'implementation',
  'implementierung',
  'instance',
  'instanz',
  'integration',
  'interface',
  'interpreter',
  'job',
  'kernel',
  'library',
  'lib',
  'bibliothek',
  'macro',
  'makro',
  'manifest',
  'microservice',
  'middleware',
  'migration',
  'model',
  'modell',
  'modul',
  'module',
  'notebook',
  'operator',
  'package',
  'paket',
  'pipeline',
  'playbook',
  'plugin',
  'pod',
  'process',
  'producer',
  'programm',
  'program',
  'programming',
  'project',
  'projekt',
  'query',
  'queries',
  'recipe',
  'release',
  'repl',
  'repo',
  'repository',
  'rewrite',
  'route',
  'router',
  'runtime',
  'schema',
  'script',
  'skript',
  'sdk',
  'server',
  'service',
  'setup',
  'snippet',
  'source',
  'stack',
  'store',
  'stream',
  'struct',
  'task',
  'template',
  'test',
  'toolchain',
  'topic',
  'trait',
  'type',
  'typ',
  'update',
  'upgrade',
  'version',
  'view',
  'worker',
  'workflow',
  'wrapper',
  'language',
  'sprache',
  'driver',
  'treiber',
  'database',
  'datenbank',
  'db',
  'branch',
  'dependency',
  'dependencies',
  'abhängigkeit',
]);

// Words that end a noun phrase: "the Ruby billing module" is one phrase, "Der Zustand des Servers"
// and "Ruby from the design team" are not.
const FUNCTION_WORDS = new Set([
  'is',
  'ist',
  'are',
  'sind',
  'was',
  'war',
  'were',
  'waren',
  'has',
  'hat',
  'have',
  'haben',
  'had',
  'hatte',
  'from',
  'von',
  'vom',
  'of',
  'and',
  'und',
  'or',
  'oder',
  'for',
  'für',
  'aus',
  'bei',
  'as',
  'als',
  'but',
  'aber',
  'not',
  'nicht',
  'so',
  'then',
  'dann',
  'also',
  'too',
  'auch',
]);
const CATEGORY_NOUNS = new Set([
  'language',
  'sprache',
  'programmiersprache',
  'framework',
  'library',
  'bibliothek',
  'lib',
  'tool',
  'database',
  'datenbank',
  'runtime',
  'package',
  'paket',
  'crate',
  'gem',
  'module',
  'modul',
]);

const PREPOSITIONS = new Set([
  'in',
  'mit',
  'with',
  'using',
  'via',
  'auf',
  'on',
  'onto',
  'nach',
  'to',
  'into',
  'über',
  'per',
  'statt',
  'anstatt',
  'zu',
]);

// Words that make a sentence technical. Stems again ("geschrieben" needs the whole word).
const TECH_WORD_STEMS = [
  'code',
  'coded',
  'coding',
  'geschrieben',
  'schreib',
  'written',
  'wrote',
  'rewr',
  'implement',
  'programm',
  'port',
  'migr',
  'compil',
  'kompil',
  'gebaut',
  'built',
  'build',
  'deploy',
  'ausgerollt',
  'refactor',
  'debug',
  'binary',
  'binär',
  'library',
  'bibliothek',
  'framework',
  'script',
  'skript',
  'function',
  'funktion',
  'test',
  'service',
  'api',
  'backend',
  'frontend',
  'server',
  'cluster',
  'container',
  'pipeline',
  'compiler',
  'runtime',
  'umgebaut',
  'umgestellt',
  'switched',
  'install',
  'upgrade',
  'benchmark',
  'profil',
  'repo',
  'commit',
  'merge',
  'release',
  'bug',
  'crash',
  'query',
  'datenbank',
  'database',
  'endpoint',
  'endpunkt',
  'webhook',
  'parser',
  'cli',
  'sdk',
];

const DETERMINERS = new Set([
  'der',
  'die',
  'das',
  'dem',
  'den',
  'des',
  'ein',
  'eine',
  'einem',
  'einen',
  'einer',
  'eines',
  'mein',
  'meine',
  'meinem',
  'meinen',
  'meiner',
  'dein',
  'deinem',
  'sein',
  'seinem',
  'ihr',
  'ihrem',
  'unser',
  'unsere',
  'unserem',
  'unseren',
  'euer',
  'the',
  'a',
  'an',
  'my',
  'our',
  'your',
  'his',
  'her',
  'their',
  'its',
  'this',
  'that',
  'these',
  'those',
  'gutes',
  'guten',
]);

// What may stand between two listed technologies (after version numbers are removed).
const COORDINATION =
  /^(?:,|\/|&|\+|und|and|oder|or|sowie|bzw\.?|statt|anstatt|instead of|rather than|vs\.?|versus|plus|,\s*(?:und|and|oder|or))$/iu;

const VERSION_AFTER = /^\s+v?\d+(?:\.\d+)*(?![\p{L}\p{N}])/u;

/**
 * The cue that makes the span a technology in this text, or undefined when the word is used in
 * its ordinary sense. `confirmed` holds the spans already known to be technologies.
 */
export function techContextCue(text: string, span: Span, confirmed: readonly Span[]): ContextCue | undefined {
  const name = text.slice(span.start, span.end);
  const singleLetter = name.length === 1;
  if (gluedToPreviousWord(text, span.start)) return undefined;
  if (/^&\p{L}/u.test(text.slice(span.end))) return undefined;

  const compound = /^-(\p{L}[\p{L}\p{N}]*)/u.exec(text.slice(span.end));
  if (compound) return isTechNoun(compound[1] ?? '') ? 'tech-noun' : undefined;

  if (!singleLetter && VERSION_AFTER.test(text.slice(span.end))) return 'version';
  const [, next, afterNext] = /^\s+([\p{L}\p{N}]+)(?:\s+([\p{L}\p{N}]+))?/u.exec(text.slice(span.end)) ?? [];
  if (next && isTechNoun(next)) return 'tech-noun';
  if (next && afterNext && isModifier(next) && isTechNoun(afterNext)) return 'tech-noun';

  const previous = wordBefore(text, span.start);
  if (previous && CATEGORY_NOUNS.has(previous.toLocaleLowerCase())) return 'category-noun';

  const sentence = sentenceAround(text, span);
  const others = confirmed.filter((other) => other.start >= sentence.start && other.end <= sentence.end);
  const technicalSentence = others.length > 0 || hasTechWord(text.slice(sentence.start, sentence.end));
  if (previous && PREPOSITIONS.has(previous.toLocaleLowerCase()) && technicalSentence) return 'preposition';

  if (others.some((other) => coordinated(text, span, other))) return 'coordination';

  if (singleLetter) return undefined;
  if (previous && DETERMINERS.has(previous.toLocaleLowerCase())) return undefined;
  return others.length > 0 ? 'same-sentence' : undefined;
}

// The only words a plain list may have besides its names.
const LIST_WORDS = new Set([
  'und',
  'and',
  'oder',
  'or',
  'sowie',
  'bzw',
  'plus',
  'vs',
  'versus',
  'statt',
  'anstatt',
  'instead',
  'of',
  'with',
  'mit',
  'on',
  'auf',
  'in',
  'via',
  'using',
]);

/**
 * Whether the span is one of `names` (every candidate of the text) that, with two or more of
 * them, make up a plain list: the sentence, or its part after a colon, holds nothing else but
 * LIST_WORDS, punctuation and version numbers.
 */
export function inPlainList(text: string, span: Span, names: readonly Span[]): boolean {
  const sentence = sentenceAround(text, span);
  const colon = text.lastIndexOf(':', span.start);
  const start = colon >= sentence.start ? colon + 1 : sentence.start;
  const listed = names.filter((name) => name.start >= start && name.end <= sentence.end).sort((a, b) => a.start - b.start);
  if (listed.length < 2) return false;
  let rest = '';
  let cursor = start;
  for (const name of listed) {
    rest += ` ${text.slice(cursor, Math.max(cursor, name.start))} `;
    cursor = Math.max(cursor, name.end);
  }
  rest += text.slice(cursor, sentence.end);
  const words = rest.replace(/(?<![\p{L}\p{N}])v?\d+(?:\.\d+)*(?![\p{L}\p{N}])/gu, ' ').match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.every((word) => LIST_WORDS.has(word.toLocaleLowerCase()));
}

/** The sentence (by . ! ? or line break) that contains the span. */
export function sentenceAround(text: string, span: Span): Span {
  let start = 0;
  const boundary = /[.!?](?=\s)|\n/gu;
  for (let match = boundary.exec(text); match; match = boundary.exec(text)) {
    const end = match.index + match[0].length;
    if (match.index >= span.start) return { start, end };
    start = end;
  }
  return { start, end: text.length };
}

function gluedToPreviousWord(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 2), start);
  return /^[\p{L}\p{N}][-&]$/u.test(before);
}

function wordBefore(text: string, start: number): string | undefined {
  return /([\p{L}\p{N}]+)\s+$/u.exec(text.slice(Math.max(0, start - 40), start))?.[1];
}

function isTechNoun(word: string): boolean {
  const lower = word.toLocaleLowerCase();
  if (TECH_NOUNS.has(lower)) return true;
  for (let cut = 1; cut <= 3 && cut < lower.length; cut++) {
    if (TECH_NOUNS.has(lower.slice(0, -cut)) && /^(?:s|es|e|en|n|er|ern)$/u.test(lower.slice(-cut))) return true;
  }
  return false;
}

// A lower-case word that can modify the noun after it ("billing" in "the Ruby billing module").
function isModifier(word: string): boolean {
  const lower = word.toLocaleLowerCase();
  return word === lower && !FUNCTION_WORDS.has(lower) && !DETERMINERS.has(lower) && !PREPOSITIONS.has(lower);
}

function hasTechWord(sentence: string): boolean {
  const words = sentence.toLocaleLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.some((word) => TECH_WORD_STEMS.some((stem) => word.startsWith(stem)));
}

function coordinated(text: string, span: Span, other: Span): boolean {
  if (other.start < span.end && other.end > span.start) return false;
  const gap = other.start >= span.end ? text.slice(span.end, other.start) : text.slice(other.end, span.start);
  const withoutVersions = gap.replace(/(?<![\p{L}\p{N}])v?\d+(?:\.\d+)*(?![\p{L}\p{N}])/gu, ' ');
  return COORDINATION.test(withoutVersions.replace(/\s+/gu, ' ').trim());
}
