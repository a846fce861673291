import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Rules of the source tree that a reader relies on and a compiler does not check.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVICES = ['common', 'auth', 'user', 'embedded'];

/** The TypeScript sources of a service, tests and generated code aside. */
function sources(service: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'generated') walk(full);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        files.push(full);
      }
    }
  };
  walk(path.join(ROOT, 'services', service, 'src'));
  return files;
}

/** The files a source imports by relative path (type-only imports included). */
function relativeImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  return [...text.matchAll(/\b(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
    .map((m) => path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')))
    .filter((target) => existsSync(target));
}

/** Every import circle in the graph, each as the files around it. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (file: string) => {
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const at = stack.indexOf(next);
      if (at >= 0) found.push([...stack.slice(at), next]);
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return found;
}

const relative = (file: string) => path.relative(ROOT, file);

describe('the import graph of each service', () => {
  it.each(SERVICES)(
    'When the %s service is read, then no file imports itself through others',
    (service) => {
      const graph = new Map(sources(service).map((file) => [file, relativeImports(file)]));
      expect(circles(graph).map((circle) => circle.map(relative).join(' -> '))).toEqual([]);
    },
  );

  it('When a circle is written, then the search finds it', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(circles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });
});

/** Where the two databases may be told apart: the data source factory and the dialects. */
const DIALECT_FILES = [
  'data-source.ts',
  'dialect.ts',
  'postgres-dialect.ts',
  'sqlite-dialect.ts',
].map((name) => path.join(ROOT, 'services/common/src/data', name));
const DIALECT_CHECK =
  /options\.type\s*[!=]==|better-sqlite3'|'postgres'\s*[!=]==|[!=]==\s*'postgres'/;

describe('the SQL dialect', () => {
  it('When the sources are read, then only the data source factory and the dialects tell the databases apart', () => {
    const offenders = SERVICES.flatMap(sources)
      .filter((file) => !DIALECT_FILES.includes(file))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(file)}:${i + 1}` }))
          .filter(({ line }) => DIALECT_CHECK.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });

  it('When a check is written the old ways, then the rule sees it', () => {
    for (const line of [
      "if (db.connection.options.type === 'postgres') return;",
      "type: 'better-sqlite3',",
      "if (name !== 'postgres') return;",
    ])
      expect(DIALECT_CHECK.test(line)).toBe(true);
    expect(DIALECT_CHECK.test("const sql = dialect.pick({ postgres: 'a', sqlite: 'b' });")).toBe(
      false,
    );
  });
});
