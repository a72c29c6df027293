/**
 * What `zcli apps:validate` would check and can only check with a Zendesk account: the manifest's
 * required fields, locations, parameters and translations.
 * https://developer.zendesk.com/documentation/apps/app-developer-guide/manifest/
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const APP = new URL('../../zendesk-app/', import.meta.url).pathname;
const json = (p: string) => JSON.parse(readFileSync(APP + p, 'utf8')) as unknown;
type Tree = { [k: string]: string | Tree };

const Parameter = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  type: z.enum(['text', 'password', 'checkbox', 'url', 'number', 'multiline', 'hidden', 'oauth']),
  required: z.boolean().optional(),
  secure: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
});
const Location = z.strictObject({
  url: z.string().min(1),
  flexible: z.boolean().optional(),
  size: z.unknown().optional(),
});
const Manifest = z.strictObject({
  name: z.string().min(1),
  author: z.strictObject({ name: z.string().min(1), email: z.email(), url: z.url().optional() }),
  defaultLocale: z.string().min(2),
  private: z.boolean(),
  location: z.strictObject({
    support: z.partialRecord(
      z.enum([
        'ticket_sidebar',
        'nav_bar',
        'new_ticket_sidebar',
        'user_sidebar',
        'organization_sidebar',
        'top_bar',
        'background',
      ]),
      Location,
    ),
  }),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  frameworkVersion: z.literal('2.0'),
  parameters: z.array(Parameter),
  domainWhitelist: z.array(z.string().regex(/^[a-z0-9.*-]+$/i)).min(1),
});

const manifest = Manifest.parse(json('manifest.json'));
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`)));

describe('zendesk-app/manifest.json', () => {
  it('has the required fields and both locations, pointing at the built page', () => {
    expect(Object.keys(manifest.location.support).sort()).toEqual(['nav_bar', 'ticket_sidebar']);
    for (const loc of Object.values(manifest.location.support)) {
      expect(loc.url).toBe('assets/index.html');
      expect(existsSync(`${APP}src/index.html`)).toBe(true);
    }
    expect(manifest.private).toBe(true);
    // A nav_bar app needs its icon in assets/ (copied there from src/public by the build).
    expect(readFileSync(`${APP}src/public/icon_nav_bar.svg`, 'utf8')).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
  });

  it(
    'keeps the shared secret a secure, required parameter with ' + 'no default, beside the connector URL and tenant',
    () => {
      const byName = Object.fromEntries(manifest.parameters.map((p) => [p.name, p]));
      expect(byName.shared_secret).toMatchObject({ secure: true, required: true });
      expect(byName.shared_secret?.default).toBeUndefined();
      expect(byName.connector_url).toMatchObject({ type: 'url', required: true });
      expect(byName.tenant).toMatchObject({ type: 'text', required: true });
      expect(new Set(manifest.parameters.map((p) => p.name)).size).toBe(manifest.parameters.length);
    },
  );

  it('has app translations for the default locale and every other, naming every parameter', () => {
    const files = readdirSync(`${APP}translations`);
    expect(files).toContain(`${manifest.defaultLocale}.json`);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const t = json(`translations/${f}`) as { app: Tree };
      for (const k of ['name', 'short_description', 'long_description', 'installation_instructions'])
        expect(typeof t.app[k], `${f} app.${k}`).toBe('string');
      for (const p of manifest.parameters)
        expect(keys(t.app), `${f} parameters.${p.name}.label`).toContain(`parameters.${p.name}.label`);
    }
  });

  it('has the same UI strings in every locale of the app', () => {
    const dir = `${APP}src/translations/`;
    const en = keys(JSON.parse(readFileSync(`${dir}en.json`, 'utf8')) as Tree).sort();
    for (const f of readdirSync(dir))
      expect(keys(JSON.parse(readFileSync(dir + f, 'utf8')) as Tree).sort(), f).toEqual(en);
  });
});
