import { describe, expect, it } from 'vitest';
import type { AuthDeps } from '../deps.js';
import type { AuditFilter, AuditRecord } from './audit-repository.js';
import { exportAudit } from './audit-query.js';

/** An audit table of `size` records that counts the reads made of it. */
function trail(size: number) {
  const reads: { afterId: number | undefined; limit: number }[] = [];
  const auditQuery = {
    read: (
      _filter: AuditFilter,
      page: { afterId?: number | undefined; direction: 'asc' | 'desc'; limit: number },
    ): Promise<AuditRecord[]> => {
      reads.push({ afterId: page.afterId, limit: page.limit });
      const first = (page.afterId ?? 0) + 1;
      const ids = Array.from({ length: page.limit }, (_, i) => first + i).filter(
        (id) => id <= size,
      );
      return Promise.resolve(ids.map((id) => ({ id }) as AuditRecord));
    },
  };
  const deps = { store: { repos: { auditQuery } }, databaseTimeoutMs: 1000 } as unknown as AuthDeps;
  return { deps, reads };
}

describe('exportAudit', () => {
  it('When the export is read, then the trail is read one batch at a time, only as far as the reader has come', async () => {
    const { deps, reads } = trail(10);
    const lines = await exportAudit(deps, {}, (r) => String(r.id), 4);
    expect(reads).toEqual([{ afterId: undefined, limit: 4 }]);
    expect((await lines.next()).value).toBe('1\n2\n3\n4\n');
    expect(reads).toEqual([{ afterId: undefined, limit: 4 }]);
    expect((await lines.next()).value).toBe('5\n6\n7\n8\n');
    expect(reads).toHaveLength(2);
    expect((await lines.next()).value).toBe('9\n10\n');
    expect((await lines.next()).done).toBe(true);
    expect(reads.map((r) => r.afterId)).toEqual([undefined, 4, 8]);
  });

  it('When the trail ends on a full batch, then one more read finds nothing and the export ends', async () => {
    const { deps, reads } = trail(4);
    const all: string[] = [];
    for await (const chunk of await exportAudit(deps, {}, (r) => String(r.id), 2)) all.push(chunk);
    expect(all).toEqual(['1\n2\n', '3\n4\n']);
    expect(reads).toHaveLength(3);
  });

  it('When the first read fails, then the export fails before it has an answer to start', async () => {
    const broken = {
      store: {
        repos: { auditQuery: { read: () => Promise.reject(new Error('connection lost')) } },
      },
      databaseTimeoutMs: 1000,
    } as unknown as AuthDeps;
    await expect(exportAudit(broken, {}, (r) => String(r.id))).rejects.toThrow('connection lost');
  });
});
