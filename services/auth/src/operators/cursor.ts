import { errors } from '@platform/common';

/**
 * Paging cursors: the id of the last item of a page and which listing it belongs to, as base64url
 * JSON. Opaque to clients; a cursor of another listing, or anything else, is a 400.
 */
export function encodeCursor(listing: string, lastId: number): string {
  return Buffer.from(JSON.stringify({ l: listing, id: lastId })).toString('base64url');
}

/** The largest id a listing holds: its ids are 32-bit columns (a larger one would fail the query). */
const MAX_ID = 2_147_483_647;

export function decodeCursor(listing: string, cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const { l, id } = (parsed ?? {}) as { l?: unknown; id?: unknown };
  if (l !== listing || !Number.isInteger(id) || (id as number) < 0 || (id as number) > MAX_ID)
    throw invalidCursor();
  return id as number;
}

const invalidCursor = () =>
  errors.invalidQuery(
    [{ field: 'cursor', message: 'is not a cursor of this listing' }],
    'The cursor is not one this listing gave out; start again without it.',
  );

/** A page of `limit` items from `rows` (fetched with one extra), and the cursor after it. */
export function pageOf<T extends { id: number }>(
  listing: string,
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items, nextCursor: more ? encodeCursor(listing, items[items.length - 1]!.id) : null };
}
