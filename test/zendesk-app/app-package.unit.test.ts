/**
 * The app package (`npm run build:app` writes zendesk-app/standing-zendesk-app.zip from dist/): every
 * file, manifest.json at the root, `/` separators, the bytes unchanged, and the same zip twice.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, expect, it } from 'vitest';
import { packageApp } from '../../scripts/build-zendesk-app.ts';

const dir = mkdtempSync(join(tmpdir(), 'standing-app-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('zips the whole app directory with manifest.json at the root, byte for byte and reproducibly', () => {
  const files: Record<string, Buffer> = {
    'manifest.json': Buffer.from('{"name":"Standing"}'),
    'assets/iframe.html': Buffer.from('<!doctype html><title>Standing</title>'),
    'assets/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]),
    'translations/en.json': Buffer.from('{"app":{"name":"Standing"}}'),
  };
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }

  const zip = packageApp(dir);
  const unpacked = unzipSync(zip);

  expect(Object.keys(unpacked).sort()).toEqual(Object.keys(files).sort());
  for (const [name, data] of Object.entries(files)) expect(Buffer.from(unpacked[name]!)).toEqual(data);
  expect(Buffer.from(packageApp(dir))).toEqual(Buffer.from(zip));
});
