/**
 * TypeORM's better-sqlite3 driver runs every query of a data source on one connection. A transaction
 * left open across an `await` would take in the statements of whatever else runs meanwhile (and lose
 * them if it rolls back), and two transactions would nest. On SQLite, therefore, transactions and the
 * statements outside them take turns; Postgres gives each its own pooled connection and needs none of it.
 */
export class ExclusiveAccess {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly enabled: boolean) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.enabled) return work();
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** The same object, each of whose methods runs its turn. */
  guard<T extends object>(target: T): T {
    if (!this.enabled) return target;
    return new Proxy(target, {
      get: (object, name, receiver) => {
        const value: unknown = Reflect.get(object, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          this.run(() => (value as (...a: unknown[]) => Promise<unknown>).apply(object, args));
      },
    });
  }
}
