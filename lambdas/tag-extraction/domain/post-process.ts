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
 * and "Java" not in "JavaScript"), nor the `++` or `#` of a longer name ("C" is not in "C++" or
 * "C#"). A version number may follow, since the prompt asks for names without versions and
 * "Python" must be found in "Python3" and "Go" in "Go1.22"; but not after a short all-capital
 * tag, where the digits belong to the name ("EC" is not in "EC2"). A single-letter name ("C",
 * "R") is only found as a standalone token: no version, and no name glue (`+#_&@.-`) before it
 * ("Objective-C") or after it, except a compound's hyphen ("C-Programm") and a full stop.
 * Returns the text's own spelling.
 */
export function findInText(tag: string, text: string): string | undefined {
  const pattern = tag
    .split(' ')
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'))
    .join('\\s+');
  if ([...tag].length === 1) {
    return new RegExp(`(?<![\\p{L}\\p{N}+#_&@.-])${pattern}(?![\\p{L}\\p{N}+#_&@]|\\.[\\p{L}\\p{N}])`, 'iu').exec(text)?.[0];
  }
  const occurrences = new RegExp(`(?<![\\p{L}\\p{N}])(${pattern})(\\d+(?:\\.\\d+)*)?(?![\\p{L}\\p{N}]|\\+\\+|#)`, 'giu');
  for (const [, name = '', version] of text.matchAll(occurrences)) {
    if (version === undefined || takesGluedVersion(name)) return name;
  }
  return undefined;
}

/** Digits glued to a name of three or more characters, or to one with a small letter, are its version ("HTML5", "Go1.22"). */
function takesGluedVersion(name: string): boolean {
  return [...name].length >= 3 || /\p{Ll}/u.test(name);
}
