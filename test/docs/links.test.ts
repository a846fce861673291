import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The documentation whose relative links must resolve: the README, every page of docs/, the benchmark's. */
const PAGES = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
  'bench/README.md',
];

/** Markdown without its fenced code blocks and code spans, where `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown
    .replace(/^ *(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ *\1[^\n]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '');
}

/** Every link target of a page: inline `[text](target)` (and images), and reference definitions. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)];
  const references = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm)];
  return [...inline, ...references].map((match) => match[1]!);
}

/** GitHub's anchor for a heading: lower case, punctuation removed, each space a '-'. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a page's headings, with GitHub's -1, -2 ... for repeated ones. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const code = /^ *(`{3,}|~{3,})/;
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const opening = code.exec(line)?.[1];
    if (fence !== undefined) {
      if (opening !== undefined && opening.startsWith(fence)) fence = undefined;
      continue;
    }
    if (opening !== undefined) {
      fence = opening;
      continue;
    }
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

/** What is wrong with each relative link of a page (empty when all resolve). */
function brokenLinks(page: string, markdown: string, root: string): string[] {
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto: ...
    const hash = target.indexOf('#');
    const file = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    if (file === '') {
      if (anchor && !anchors(markdown).has(anchor.toLowerCase())) {
        broken.push(`${target}: no heading #${anchor} in ${page}`);
      }
      continue;
    }
    const resolved = path.join(root, file.startsWith('/') ? '' : path.dirname(page), file);
    if (!existsSync(resolved)) {
      broken.push(`${target}: no file ${path.relative(root, resolved)}`);
      continue;
    }
    if (!anchor || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) continue;
    if (!anchors(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase())) {
      broken.push(`${target}: no heading #${anchor} in ${path.relative(root, resolved)}`);
    }
  }
  return broken;
}

describe('relative links of the documentation', () => {
  it('When the documentation is listed, then the README, docs/ and the benchmark page are in it', () => {
    expect(PAGES).toContain('README.md');
    expect(PAGES).toContain('bench/README.md');
    expect(PAGES.filter((page) => page.startsWith('docs/')).length).toBeGreaterThan(0);
  });

  it.each(PAGES)('When %s links to a file or a heading, then it exists', (page) => {
    expect(brokenLinks(page, readFileSync(path.join(ROOT, page), 'utf8'), ROOT)).toEqual([]);
  });
});

describe('the link check itself', () => {
  it('When a heading has punctuation, code and capitals, then its anchor is GitHub-style', () => {
    expect(slug('Roles, permissions and the first administrator')).toBe(
      'roles-permissions-and-the-first-administrator',
    );
    expect(slug('What `npm test` runs')).toBe('what-npm-test-runs');
    expect(slug('Tokens & security (in brief)')).toBe('tokens--security-in-brief');
    expect(slug('Topology on RabbitMQ')).toBe('topology-on-rabbitmq');
  });

  it('When a heading repeats, then the later ones get -1, -2', () => {
    expect([...anchors('# A\n\n## Notes\n\n## Notes\n\n## Notes\n')]).toEqual([
      'a',
      'notes',
      'notes-1',
      'notes-2',
    ]);
  });

  it('When a page links to a missing file or heading, then each is reported', () => {
    const markdown = [
      '# Page',
      '[fine](README.md) [fine too](docs/deployment.md) [here](#page) [web](https://example.com)',
      '[mail](mailto:a@example.com) [gone](docs/no-such-page.md) [no heading](README.md#no-such-heading)',
      '[nowhere here](#nowhere)',
      '```bash',
      '[ -f x ] && echo [not a link](nowhere.md)',
      '```',
      'and `[code](nowhere.md)` is not one either.',
    ].join('\n');
    expect(brokenLinks('PAGE.md', markdown, ROOT)).toEqual([
      'docs/no-such-page.md: no file docs/no-such-page.md',
      'README.md#no-such-heading: no heading #no-such-heading in README.md',
      '#nowhere: no heading #nowhere in PAGE.md',
    ]);
  });
});
