/**
 * The manifest `npm run build:app -- --connector-url … --tenant …` writes: signed URLs on, every
 * location opening the connector's page for the tenant, the connector's host the allowed domain.
 * Without the options, the manifest stays as it is (Zendesk serves the page).
 * https://developer.zendesk.com/documentation/apps/app-developer-guide/manifest/
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAppManifest } from '../../scripts/build-zendesk-app.ts';
import { AppTargetError, appTargetFrom } from '../../scripts/zendesk-app-manifest.ts';

const dir = mkdtempSync(join(tmpdir(), 'standing-app-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Written {
  signedUrls?: boolean;
  location: { support: Record<string, { url: string; flexible?: boolean }> };
  domainWhitelist: string[];
  parameters: { name: string; default?: unknown; secure?: boolean }[];
}
const source = JSON.parse(readFileSync(new URL('../../zendesk-app/manifest.json', import.meta.url), 'utf8')) as Written;
const written = () => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Written;

describe('the packaged manifest', () => {
  it("opens the connector's page with signed URLs when built for a connector and tenant", () => {
    const target = appTargetFrom(['--connector-url', 'https://standing.example.com/', '--tenant', 'acme'], {});
    writeAppManifest(dir, target);
    const m = written();

    expect(m.signedUrls).toBe(true);
    expect(Object.keys(m.location.support).sort()).toEqual(['nav_bar', 'ticket_sidebar']);
    for (const loc of Object.values(m.location.support))
      expect(loc.url).toBe('https://standing.example.com/app/v1/acme/zaf');
    expect(m.location.support.ticket_sidebar?.flexible).toBe(true);
    expect(m.domainWhitelist).toEqual(['standing.example.com']);
    const byName = Object.fromEntries(m.parameters.map((p) => [p.name, p]));
    expect(byName.connector_url?.default).toBe('https://standing.example.com');
    expect(byName.tenant?.default).toBe('acme');
    expect(byName.shared_secret).toMatchObject({ secure: true });
    expect(byName.shared_secret?.default).toBeUndefined();
  });

  it('takes the environment when no option is given, an option over the environment', () => {
    const env = { STANDING_APP_CONNECTOR_URL: 'https://connector.acme.test', STANDING_APP_TENANT: 'acme' };
    expect(appTargetFrom([], env)).toEqual({ connectorUrl: 'https://connector.acme.test', tenant: 'acme' });
    expect(appTargetFrom(['--tenant=beta'], env)).toEqual({
      connectorUrl: 'https://connector.acme.test',
      tenant: 'beta',
    });
  });

  it('stays as it is without a connector and tenant', () => {
    expect(appTargetFrom([], {})).toBeNull();
    writeAppManifest(dir, null);
    expect(written()).toEqual(source);
    expect(written().signedUrls).toBeUndefined();
  });

  it.each([
    [['--connector-url', 'https://standing.example.com'], /--tenant .*needed with --connector-url/],
    [['--tenant', 'acme'], /--connector-url .*needed with --tenant/],
    [['--connector-url', 'standing.example.com', '--tenant', 'acme'], /--connector-url: .* is not a URL/],
    [['--connector-url', 'http://standing.example.com', '--tenant', 'acme'], /must use https/],
    [['--connector-url', 'https://example.com/standing', '--tenant', 'acme'], /no path, query or fragment/],
    [['--connector-url', 'https://standing.example.com', '--tenant', 'Acme Inc'], /--tenant: "Acme Inc" must be/],
    [['--connector-url', '--tenant', 'acme'], /--connector-url: needs a value/],
    [['--conector-url', 'https://standing.example.com'], /--conector-url: unknown option/],
  ])('refuses %j with an error naming the option', (argv, message) => {
    expect(() => appTargetFrom(argv, {})).toThrow(AppTargetError);
    expect(() => appTargetFrom(argv, {})).toThrow(message);
  });

  it('allows plain http for a connector on this machine (zcli apps:server)', () => {
    expect(appTargetFrom(['--connector-url', 'http://localhost:3000', '--tenant', 'demo'], {})).toEqual({
      connectorUrl: 'http://localhost:3000',
      tenant: 'demo',
    });
  });
});
