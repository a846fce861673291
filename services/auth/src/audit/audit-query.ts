import { withDatabaseDeadline } from '@platform/common';
import type { AuthDeps } from '../deps.js';
import { decodeCursor, pageOf } from '../operators/cursor.js';
import type { AuditFilter, AuditRecord } from './audit-repository.js';

const LISTING = 'audit';
/** Records read from the database per step of an export. */
export const EXPORT_BATCH = 500;

/** GET /audit: a page of the matching records, newest first, and the cursor of the older ones. */
export async function auditPage(
  deps: AuthDeps,
  filter: AuditFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
  const rows = await deps.store.repos.auditQuery.read(filter, {
    afterId: decodeCursor(LISTING, page.cursor),
    direction: 'desc',
    limit: page.limit + 1,
  });
  return pageOf(LISTING, rows, page.limit);
}

/**
 * GET /audit/export: every matching record, oldest first, read a batch at a time as the client takes
 * them, so memory stays bounded by one batch whatever the length of the trail. Each batch has the
 * database time of a request of its own: a long export is no slow statement. The first batch is read
 * before the answer starts, so a database that fails at once gets the client an error status, not
 * a 200 whose connection is cut.
 */
export async function exportAudit(
  deps: AuthDeps,
  filter: AuditFilter,
  toLine: (record: AuditRecord) => string,
  batchSize = EXPORT_BATCH,
): Promise<AsyncGenerator<string>> {
  const read = (afterId: number | undefined) =>
    withDatabaseDeadline(deps.databaseTimeoutMs, () =>
      deps.store.repos.auditQuery.read(filter, { afterId, direction: 'asc', limit: batchSize }),
    );
  const first = await read(undefined);
  return (async function* () {
    for (let batch = first; batch.length > 0;) {
      yield batch.map((record) => `${toLine(record)}\n`).join('');
      if (batch.length < batchSize) return;
      batch = await read(batch[batch.length - 1]!.id);
    }
  })();
}
