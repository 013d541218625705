/** Longest tag we keep; longer "tags" are sentences, not names. */
export const MAX_TAG_LENGTH = 64;
/** Most tags we keep for one entry. */
export const MAX_TAGS_PER_ENTRY = 50;

/** Why a candidate tag was not kept. */
export type DropReason = 'empty' | 'too-long' | 'ungrounded' | 'duplicate' | 'too-many';

/** The tags kept for an entry and the candidates dropped, with why. */
export interface PostProcessed {
  tags: string[];
  dropped: { candidate: string; reason: DropReason }[];
}

/**
 * Turns what a model proposed into tags we can trust: trimmed, no empty or overlong values,
 * each grounded in the entry text (a tag that does not occur there is dropped) and spelled as
 * the text spells it, deduplicated case-insensitively, in the model's order.
 */
export function postProcessTags(candidates: readonly string[], entryText: string): PostProcessed {
  const tags: string[] = [];
  const seen = new Set<string>();
  const dropped: PostProcessed['dropped'] = [];
  for (const candidate of candidates) {
    const value = candidate.replace(/\s+/gu, ' ').trim();
    const reason = rejectReason(value);
    if (reason) {
      dropped.push({ candidate, reason });
      continue;
    }
    const spelling = findInText(value, entryText);
    if (spelling === undefined) {
      dropped.push({ candidate, reason: 'ungrounded' });
      continue;
    }
    const identity = spelling.replace(/\s+/gu, ' ').toLocaleLowerCase();
    if (seen.has(identity)) {
      dropped.push({ candidate, reason: 'duplicate' });
      continue;
    }
    if (tags.length >= MAX_TAGS_PER_ENTRY) {
      dropped.push({ candidate, reason: 'too-many' });
      continue;
    }
    seen.add(identity);
    tags.push(spelling.replace(/\s+/gu, ' '));
  }
  return { tags, dropped };
}

function rejectReason(value: string): DropReason | undefined {
  if (value.length === 0) return 'empty';
  if (value.length > MAX_TAG_LENGTH) return 'too-long';
  return undefined;
}

/**
 * Finds the tag in the text as a whole name: case-insensitive, any run of whitespace where the
 * tag has a space, and no letter or digit glued to either end (so "Go" is not found in "Google"
 * and "Java" not in "JavaScript"), except a version number after it: the prompt asks for names
 * without versions, so "Python" must be found in "Python3" and "HTML" in "HTML5".
 * Returns the text's own spelling.
 */
export function findInText(tag: string, text: string): string | undefined {
  const pattern = tag
    .split(' ')
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'))
    .join('\\s+');
  const versionSuffix = '(?:\\d+(?:\\.\\d+)*)?';
  const match = new RegExp(
    `(?<![\\p{L}\\p{N}])${pattern}(?=${versionSuffix}(?![\\p{L}\\p{N}]))`,
    'iu',
  ).exec(text);
  return match?.[0];
}
