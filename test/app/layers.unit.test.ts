/**
 * docs/layers.md is the contributor's copy of the layer table that `npm run lint:deps` enforces
 * (.dependency-cruiser.cjs): same rooms, same order, and every folder of the product is a room.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Rule {
  name: string;
  from: { path?: string };
}

const ROOT = new URL('../../', import.meta.url);
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as { forbidden: Rule[] };
const doc = readFileSync(new URL('docs/layers.md', ROOT), 'utf8');

/** The rooms of the enforced table, top to bottom (the root has no rule of its own: nothing is above it). */
const enforced = config.forbidden.filter((r) => r.name.startsWith('layer-')).map((r) => r.from.path ?? '');
/** The first room of each row of the documented table, top to bottom, as a path. */
const documented = doc
  .split('\n')
  .filter((line) => /^\| [^-]/.test(line) && !line.startsWith('| Floor'))
  .map((line) => /`([^`]+)`/.exec(line)?.[1] ?? '');

describe('the layer table', () => {
  it('is documented in docs/layers.md room by room, in the order the check enforces', () => {
    expect(documented[0]).toBe('connector/app/');
    expect(documented.slice(1).map((room) => `^${room}`)).toEqual(enforced);
  });

  it('has a room for every folder of connector/, and for queue/ and salesforce/', () => {
    const folders = readdirSync(new URL('connector/', ROOT), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `connector/${entry.name}/`);
    for (const folder of [...folders, 'queue/', 'salesforce/']) expect(documented).toContain(folder);
  });
});
