import { sentenceAround } from './context.js';

/**
 * Products the dictionary cannot know ("auf ImaginaryNoneExistence Cloud deployed"). A dictionary
 * only ever knows yesterday's products, and the prompt asks the model for products it does not
 * know too, so the offline model recognises the shapes product names take in a dev log:
 *
 * 1. Named product line: one or two capitalised words followed by a product word (Cloud, DB,
 *    Platform, Hosting, ...): "ImaginaryNoneExistence Cloud", "Nordlicht Platform". Because
 *    German capitalises every noun ("die Kunden Cloud", "Private Cloud"), the words before the
 *    product word must look like a brand (CamelCase, an acronym, or a digit) or the phrase must
 *    stand where a product stands: after a preposition in a sentence about deploying or hosting
 *    ("auf Nordlicht Platform ausgerollt", "bei Blauwal Hosting gehostet").
 * 2. Glued database/broker names: a CamelCase word ending in DB, MQ or SQL ("QuillDB", "FooMQ").
 * 3. A CamelCase word or a product-style domain (".io", ".dev", ".app", ".sh", ".cloud") after
 *    on/to/auf/bei in a deploying or hosting sentence ("deployed it to NimbusHost").
 * 4. npm/PyPI-style package names: a lower-case hyphenated word one of whose parts is a known
 *    technology ("express-rate-limit", "electron-updater", "ingress-nginx"), unless the other
 *    parts make it an ordinary compound ("go-live", "react-based", "non-java").
 *
 * Generic words never start a product ("Public Cloud", "Test DB", "Staging Platform").
 */

/** A product name found by one of the rules, and which rule found it. */
export interface UnknownProduct {
  start: number;
  end: number;
  rule: 'product-word' | 'glued-suffix' | 'deploy-target' | 'package-name';
}

const PRODUCT_WORDS = [
  'Cloud',
  'DB',
  'Database',
  'Platform',
  'Plattform',
  'Hosting',
  'Hub',
  'Cache',
  'MQ',
  'Queue',
  'Search',
  'Functions',
  'Workers',
  'Engine',
  'Studio',
  'Analytics',
  'CI',
  'Registry',
  'Storage',
  'Monitoring',
  'Serverless',
];

// Capitalised words that describe rather than name ("Private Cloud", "Eigene Plattform").
const GENERIC_WORDS = new Set(
  [
    'private',
    'public',
    'hybrid',
    'multi',
    'own',
    'eigene',
    'eigenen',
    'custom',
    'internal',
    'interne',
    'internen',
    'legacy',
    'alte',
    'alten',
    'neue',
    'neuen',
    'new',
    'old',
    'test',
    'staging',
    'production',
    'produktion',
    'prod',
    'dev',
    'local',
    'lokale',
    'lokalen',
    'kunden',
    'customer',
    'company',
    'firmen',
    'team',
    'shared',
    'central',
    'zentrale',
    'main',
    'default',
    'data',
    'daten',
    'open',
    'free',
    'managed',
    'hosted',
    'self',
    'big',
    'the',
    'die',
    'der',
    'das',
    'den',
    'dem',
    'our',
    'unsere',
    'unserer',
    'unserem',
    'my',
    'meine',
    'api',
    'it',
    'ui',
    'ux',
    'hr',
    'saas',
    'paas',
    'iaas',
    'eu',
    'us',
    'ai',
    'ki',
    'ml',
    'sql',
    'nosql',
    'game',
    'search',
    'cloud',
    'web',
    'mobile',
    'app',
    'apps',
    'ci',
    'cd',
    'dns',
    'cdn',
    'vpn',
    'crm',
    'erp',
    'cms',
    'gpu',
    'cpu',
    'sso',
    'iot',
    'event',
    'events',
    'message',
    'messaging',
    'vector',
    'graph',
    'time',
    'series',
    'object',
    'file',
    'backup',
    'edge',
    'developer',
    'entwickler',
    'no',
    'im',
    'in',
    'auf',
    'bei',
    'on',
    'to',
    'und',
    'and',
    'or',
    'oder',
  ].map((word) => word.toLocaleLowerCase()),
);

const DEPLOY_WORD = new RegExp(
  `\\b(?:${[
    'deploy\\w*',
    'ausgerollt',
    'ausrollen',
    'rollen\\w*',
    'gehostet',
    'hoste\\w*',
    'hosted',
    'hosting',
    'host',
    'läuft',
    'laufen',
    'runs?',
    'running',
    'betrieben',
    'betreiben',
    'migrated',
    'migriert',
    'umgezogen',
    'moved',
    'served',
    'published',
    'veröffentlicht',
  ].join('|')})\\b`,
  'iu',
);
const TARGET_PREPOSITIONS = new Set(['on', 'onto', 'to', 'at', 'auf', 'bei', 'nach', 'in', 'into', 'zu']);

const BRAND_WORD =
  /^(?:\p{Lu}+\p{Ll}+\p{Lu}[\p{L}\p{N}]*|\p{Lu}[\p{Ll}\p{N}]+\p{Lu}[\p{L}\p{N}]*|\p{Lu}{2,}\p{N}*|[\p{L}]+\p{N}[\p{L}\p{N}]*)$/u;

const PACKAGE_NAME = /(?<![\p{L}\p{N}_./@-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\p{L}\p{N}_/-])/gu;
const ORDINARY_COMPOUND_PARTS = new Set([
  'based',
  'like',
  'style',
  'only',
  'native',
  'compatible',
  'friendly',
  'first',
  'heavy',
  'side',
  'free',
  'ready',
  'specific',
  'powered',
  'driven',
  'related',
  'live',
  'to',
  'market',
  'aware',
  'centric',
  'agnostic',
  'enabled',
  'flavoured',
  'flavored',
  'esque',
  'ish',
  'land',
  'world',
  'non',
  'pre',
  'post',
  'anti',
  'pro',
  'multi',
  'cross',
  'full',
  'pure',
  'vanilla',
  'plain',
  'modern',
  'legacy',
  'old',
  'new',
  'no',
  'let',
  'it',
  'colored',
  'coloured',
  'red',
  'cluster',
  'server',
  'team',
  'project',
  'version',
  'update',
  'upgrade',
  'dev',
  'prod',
  'staging',
  'test',
  'tests',
  'level',
  'way',
  'time',
  'day',
  'in',
  'out',
  'up',
  'down',
  'of',
  'the',
  'and',
  'or',
  'a',
  'an',
  'on',
  'off',
  'by',
  'for',
  'with',
  'at',
  'end',
  'fi',
  'ins',
  'mail',
  'mails',
]);

/**
 * Product-shaped names in the text that the dictionary did not cover. `isKnownName` tells
 * whether a lower-case word is a dictionary spelling in lower case (for package names built on
 * known ones).
 */
export function findUnknownProducts(text: string, isKnownName: (lowerWord: string) => boolean): UnknownProduct[] {
  return [...productWordMatches(text), ...gluedSuffixMatches(text), ...deployTargetMatches(text), ...packageNameMatches(text, isKnownName)];
}

function productWordMatches(text: string): UnknownProduct[] {
  const found: UnknownProduct[] = [];
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}_.-])((?:\\p{Lu}[\\p{L}\\p{N}]*\\s+){1,2})(?:${PRODUCT_WORDS.join('|')})(?![\\p{L}\\p{N}_])`,
    'gu',
  );
  for (const match of text.matchAll(pattern)) {
    const words = [...(match[1] ?? '').matchAll(/\S+/gu)].map((word) => ({ word: word[0], start: match.index + word.index }));
    // With two leading words, try the pair, then the last word alone: in "Heute StackWolke Cloud"
    // the sentence's first word is capitalised for grammar, not as part of the name.
    for (const [first, { start }] of words.entries()) {
      const nameWords = words.slice(first).map(({ word }) => word);
      if (nameWords.some((word) => GENERIC_WORDS.has(word.toLocaleLowerCase()))) continue;
      if (nameWords.every((word) => BRAND_WORD.test(word)) || standsWhereAProductStands(text, start)) {
        found.push({ start, end: match.index + match[0].length, rule: 'product-word' });
        break;
      }
    }
  }
  return found;
}

function gluedSuffixMatches(text: string): UnknownProduct[] {
  const pattern = /(?<![\p{L}\p{N}_])(\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)*)(DB|MQ|SQL)(?![\p{L}\p{N}_])/gu;
  return [...text.matchAll(pattern)]
    .filter((match) => !GENERIC_WORDS.has((match[1] ?? '').toLocaleLowerCase()))
    .map((match) => ({ start: match.index, end: match.index + match[0].length, rule: 'glued-suffix' as const }));
}

function deployTargetMatches(text: string): UnknownProduct[] {
  const pattern =
    /(?<![\p{L}\p{N}_.-])([\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*\.(?:io|dev|app|sh|cloud|run|so)|\p{Lu}[\p{L}\p{N}]*)(?![\p{L}\p{N}_])/gu;
  const found: UnknownProduct[] = [];
  for (const match of text.matchAll(pattern)) {
    const name = match[1] ?? '';
    if (!name.includes('.') && !BRAND_WORD.test(name)) continue;
    if (!standsWhereAProductStands(text, match.index)) continue;
    found.push({ start: match.index, end: match.index + name.length, rule: 'deploy-target' });
  }
  return found;
}

function packageNameMatches(text: string, isKnownName: (lowerWord: string) => boolean): UnknownProduct[] {
  const found: UnknownProduct[] = [];
  for (const match of text.matchAll(PACKAGE_NAME)) {
    const parts = match[0].split('-');
    // Two-letter parts ("go" in "let-it-go") are too often plain words to anchor a package name.
    const known = parts.filter((part) => part.length >= 3 && isKnownName(part));
    const rest = parts.filter((part) => !known.includes(part));
    if (known.length === 0 || rest.some((part) => ORDINARY_COMPOUND_PARTS.has(part))) continue;
    found.push({ start: match.index, end: match.index + match[0].length, rule: 'package-name' });
  }
  return found;
}

// After on/to/auf/bei, in a sentence about deploying, hosting or running something.
function standsWhereAProductStands(text: string, start: number): boolean {
  const previous = /(\p{L}+)\s+$/u.exec(text.slice(Math.max(0, start - 20), start))?.[1];
  if (!previous || !TARGET_PREPOSITIONS.has(previous.toLocaleLowerCase())) return false;
  const sentence = sentenceAround(text, { start, end: start });
  return DEPLOY_WORD.test(text.slice(sentence.start, sentence.end));
}
