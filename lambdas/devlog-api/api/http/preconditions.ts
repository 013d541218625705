/*
 * ETag and If-Match (RFC 9110, sections 8.8.3 and 13.1.1) with the entry's revision as the
 * entity-tag. Written by hand: the maintained npm packages (etag, fresh) make tags from bodies
 * and evaluate If-None-Match for caches; none parses If-Match for a server's conditional writes.
 */

/** The strong entity-tag of an entry at `revision`: the revision, quoted. */
export function entityTag(revision: number): string {
  return `"${revision}"`;
}

/**
 * The revisions an `If-Match` header allows: undefined when there is none or it is `*` (any
 * current entry matches), otherwise the revisions its strong entity-tags name. If-Match compares
 * strongly, so weak tags (`W/"2"`) and tags we never sent match nothing, and a malformed header
 * matches nothing either: the request then fails its precondition (412) instead of being applied.
 */
export function parseIfMatch(header: string | undefined): readonly number[] | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const revisions: number[] = [];
  for (const [, weak, opaque] of header.matchAll(/(W\/)?"([^"]*)"/g)) {
    if (weak === undefined && opaque !== undefined && /^[1-9]\d{0,14}$/.test(opaque)) revisions.push(Number(opaque));
  }
  return revisions;
}
