import { ENTRY_ID_PATTERN } from '../../../contract/index.js';
import { keyOfRank } from '../../domain/tech-stack.js';
import { badRequest, type ProblemError } from './problem.js';

/*
 * The cursor only carries the last id of the previous page; the owner always comes from the
 * token, so a cursor made up or copied from another user can only page through the caller's
 * own entries. Nothing to sign, nothing to leak.
 */

/** Encodes the position after `lastId` as an opaque cursor. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: lastId })).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; anything else is a 400. */
export function decodeCursor(cursor: string): string {
  const invalid = badRequest('The cursor is not one this API issued; start again without it.');
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
  const after = versionOneField(cursor, 'after', invalid);
  if (!ENTRY_ID_PATTERN.test(after)) throw invalid;
  return after;
}

/** Encodes the position after a tech-stack rank (the last item of a page) as an opaque cursor. */
export function encodeTechStackCursor(afterRank: string): string {
  return Buffer.from(JSON.stringify({ v: 1, rank: afterRank })).toString('base64url');
}

/** Decodes a cursor made by `encodeTechStackCursor` (the owner comes from the token, never from it); anything else is a 400. */
export function decodeTechStackCursor(cursor: string): string {
  const invalid = badRequest('The cursor is not one this API issued for /me/tech-stack; start again without it.');
  const rank = versionOneField(cursor, 'rank', invalid);
  if (keyOfRank(rank) === undefined || !rank.isWellFormed()) throw invalid;
  return rank;
}

/** The string under `field` of a cursor that is base64url JSON with `v: 1`; throws `invalid` for anything else. */
function versionOneField(cursor: string, field: 'after' | 'rank', invalid: ProblemError): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const fields = decoded as Record<string, unknown> | null;
  const value = fields?.[field];
  if (fields?.v !== 1 || typeof value !== 'string') throw invalid;
  return value;
}
