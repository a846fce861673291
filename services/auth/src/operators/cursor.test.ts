import { describe, expect, it } from 'vitest';
import { AppError } from '@platform/common';
import { decodeCursor, encodeCursor, pageOf } from './cursor.js';

describe('paging cursors', () => {
  it('When a cursor is decoded by its own listing, then it gives back the id it was made from', () => {
    expect(decodeCursor('users', encodeCursor('users', 42))).toBe(42);
    expect(decodeCursor('users', undefined)).toBeUndefined();
    expect(decodeCursor('users', encodeCursor('users', 2 ** 31 - 1))).toBe(2 ** 31 - 1);
  });

  it("When a cursor is forged, damaged or another listing's, then it is a 400 naming the cursor", () => {
    const bad = [
      'not a cursor',
      'e30',
      encodeCursor('audit', 42),
      Buffer.from('{"l":"users","id":-1}').toString('base64url'),
      Buffer.from('{"l":"users","id":1.5}').toString('base64url'),
      // Past the 32-bit ids a listing holds, which the query would refuse.
      Buffer.from(`{"l":"users","id":${2 ** 31}}`).toString('base64url'),
      Buffer.from('{"l":"users","id":1e300}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('null').toString('base64url'),
    ];
    for (const cursor of bad) {
      let caught: unknown;
      try {
        decodeCursor('users', cursor);
      } catch (err) {
        caught = err;
      }
      expect(caught, cursor).toBeInstanceOf(AppError);
      expect((caught as AppError).status).toBe(400);
      expect((caught as AppError).errors?.[0]?.field).toBe('cursor');
    }
  });

  it('When one row more than the limit was fetched, then the page has a cursor after its last item', () => {
    const rows = [1, 2, 3].map((id) => ({ id }));
    const full = pageOf('users', rows, 2);
    expect(full.items.map((r) => r.id)).toEqual([1, 2]);
    expect(decodeCursor('users', full.nextCursor!)).toBe(2);
    expect(pageOf('users', rows, 3).nextCursor).toBeNull();
  });
});
