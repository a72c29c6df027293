/** The README is part of the product: its configuration table must name every variable the service reads. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_REFERENCE } from '../connector/config.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(CONFIG_REFERENCE.map((e) => [e.name, e.default] as const))('documents %s', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });

  it('gives the two quick-start commands', () => {
    expect(readme).toMatch(/```sh\nnpm start[^\n]*\nnpm test[^\n]*\n```/);
  });
});
