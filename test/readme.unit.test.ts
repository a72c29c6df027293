/**
 * What the README and docs/ state as facts about running and testing Standing, checked against
 * package.json and the test harness: the quick start's commands exist, every `npm run` the pages
 * give is a script, and every variable the test harness reads is named with its default.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');
const docs = readdirSync(new URL('../docs/', import.meta.url))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);

/** `process.env.NAME ?? 'default'` in the files that set up the tests (a pass-through `?? ''` is no setting). */
function harnessVariables(): { name: string; fallback: string }[] {
  const files = [
    ...readdirSync(new URL('support/', import.meta.url)).map((f) => `test/support/${f}`),
    ...readdirSync(new URL('browser/', import.meta.url)).map((f) => `test/browser/${f}`),
  ].filter((f) => f.endsWith('.ts'));
  return files
    .flatMap((f) => [...read(f).matchAll(/process\.env\.([A-Z0-9_]+) \?\? '([^']*)'/g)])
    .map((m) => ({ name: m[1]!, fallback: m[2]! }))
    .filter((v) => v.fallback !== '');
}

describe('README', () => {
  it('gives the two quick-start commands, each a script of package.json', () => {
    expect(readme).toMatch(/```sh\nnpm start[^\n]*\nnpm test[^\n]*\n```/);
    expect(scripts).toEqual(expect.arrayContaining(['start', 'test']));
  });

  it('stays short: at most 200 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('names each variable the test harness reads, with its default (README or docs/development.md)', () => {
    const text = readme + read('docs/development.md');
    const variables = harnessVariables();
    const names = variables.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['TEST_DATABASE_URL', 'TEST_REDIS_URL', 'CHROMIUM_PATH']));
    for (const { name, fallback } of variables) {
      expect(text, name).toContain(`\`${name}\``);
      expect(text, `${name}'s default`).toContain(`\`${fallback}\``);
    }
  });
});

describe.each(['README.md', ...docs])('%s', (page) => {
  it('runs only npm scripts that exist', () => {
    const named = [...read(page).matchAll(/npm run (?:-s |--silent )?([a-z][\w:-]*)/g)].map((m) => m[1]!);
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });
});

it('docs/README.md lists every page of docs/', () => {
  const index = read('docs/README.md');
  const unlisted = docs.filter((p) => p !== 'docs/README.md' && !index.includes(`](${p.slice('docs/'.length)})`));
  expect(unlisted).toEqual([]);
});
