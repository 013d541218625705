/** One technology of a user's tech stack: how many of their entries carry it, and since when. */
export interface TechStackItem {
  /** Spelled as the newest entry carrying it spells it. */
  value: string;
  /** The user's entries that carry the tag now. */
  count: number;
  /** `createdAt` of the oldest entry that carries it now. */
  firstSeen: string;
  /** `createdAt` of the newest entry that carries it now. */
  lastSeen: string;
}

/** The caller's tech stack as `GET /me/tech-stack` answers it. */
export interface TechStack {
  items: TechStackItem[];
}

/**
 * The identity of a tag value: the same as the extraction's case-insensitive dedupe
 * (whitespace runs as one space, locale-independent lower case), so "django" and "Django"
 * count as one technology and `?tag=` matches either.
 */
export function tagKey(value: string): string {
  return value.replace(/\s+/gu, ' ').trim().toLocaleLowerCase('und');
}

/** The entry's tags by tag key, first spelling kept (entries already hold each key once). */
export function tagsByKey(values: readonly string[]): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const value of values) {
    const key = tagKey(value);
    if (key.length > 0 && !byKey.has(key)) byKey.set(key, value);
  }
  return byKey;
}

/** Most used first; ties by the most recently seen, then alphabetically, so the order is stable. */
export function rankTechStack(items: readonly TechStackItem[]): TechStackItem[] {
  return items
    .filter((item) => item.count > 0)
    .sort(
      (a, b) =>
        b.count - a.count || b.lastSeen.localeCompare(a.lastSeen) || a.value.localeCompare(b.value, 'en', { sensitivity: 'base' }),
    );
}
