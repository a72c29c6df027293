/**
 * A tenant's Zendesk settings (connector/zendesk/settings.ts): a change keeps what it does not
 * name and clears what it sets to null, the API credentials are all three or none, and the
 * secrets are sealed for one tenant's row only. The store, over a stand-in for the registry's rows.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveMasterKeys } from '../../connector/model/sealing.ts';
import {
  applyZendeskPatch,
  NO_ZENDESK_SETTINGS,
  toZendeskView,
  zendeskApiBase,
  zendeskCredentialsOf,
  zendeskSettingsColumns,
  ZendeskSettingsPatch,
  zendeskSettingsOfRow,
  ZendeskSettingsStore,
  type ZendeskSettingsRows,
  type ZendeskTenantSettings,
} from '../../connector/zendesk/settings.ts';

const keys = deriveMasterKeys(randomBytes(32));
const full: ZendeskTenantSettings = {
  subdomain: 'acme',
  api_url: null,
  api_email: 'integration@acme.example',
  api_token: 'zendesk-api-token',
  webhook_secret: 'a-webhook-signing-secret',
  app_shared_secret: 'x'.repeat(32),
};

describe('Zendesk settings', () => {
  it('keep what a change does not name, and clear what it sets to null', () => {
    const next = applyZendeskPatch(full, { subdomain: 'globex', api_token: null });
    expect(next).toEqual({ ...full, subdomain: 'globex', api_token: null });
    expect(applyZendeskPatch(NO_ZENDESK_SETTINGS, {})).toEqual(NO_ZENDESK_SETTINGS);
  });

  it('give API credentials only with a subdomain, an email and a token, naming the first missing', () => {
    expect(zendeskCredentialsOf(full)).toEqual({
      ok: true,
      subdomain: 'acme',
      email: 'integration@acme.example',
      token: 'zendesk-api-token',
      baseUrl: 'https://acme.zendesk.com',
    });
    expect(zendeskCredentialsOf({ ...full, api_email: null })).toEqual({ ok: false, missing: 'api_email' });
    expect(zendeskCredentialsOf(NO_ZENDESK_SETTINGS)).toEqual({ ok: false, missing: 'subdomain' });
  });

  it('reach the API at api_url when set: https anywhere, plain http only to loopback and not in production', () => {
    const parse = (api_url: string) => ZendeskSettingsPatch.safeParse({ api_url });
    expect(parse('https://zendesk-proxy.acme.example/zd/').data).toEqual({
      api_url: 'https://zendesk-proxy.acme.example/zd',
    });
    expect(parse('http://127.0.0.1:4010').success).toBe(true);
    expect(parse('http://zendesk-proxy.acme.example').success).toBe(false);
    expect(parse('https://acme.zendesk.com/?x=1').success).toBe(false);
    expect(zendeskApiBase({ subdomain: 'acme', api_url: null }, false)).toBe('https://acme.zendesk.com');
    expect(zendeskApiBase({ subdomain: 'acme', api_url: 'http://127.0.0.1:4010' }, false)).toBe(
      'http://127.0.0.1:4010',
    );
    expect(zendeskApiBase({ subdomain: 'acme', api_url: 'http://127.0.0.1:4010' }, true)).toBeNull();
    expect(zendeskApiBase({ subdomain: 'acme', api_url: 'https://proxy.example/zd' }, true)).toBe(
      'https://proxy.example/zd',
    );
  });

  it('show whether each secret is set, never the secret', () => {
    const view = toZendeskView({ ...full, api_token: null });
    expect(view).toEqual({
      subdomain: 'acme',
      api_url: null,
      api_email: 'integration@acme.example',
      webhook_secret_set: true,
      api_token_set: false,
      app_shared_secret_set: true,
    });
    expect(JSON.stringify(view)).not.toContain(full.webhook_secret);
  });

  it('seal the secrets for the tenant whose row holds them', () => {
    const columns = zendeskSettingsColumns(keys, 'acme', full);
    expect(columns.secrets.toString('latin1')).not.toContain('zendesk-api-token');
    expect(zendeskSettingsOfRow(keys, { id: 'acme', ...columns })).toEqual(full);
    expect(() => zendeskSettingsOfRow(keys, { id: 'globex', ...columns })).toThrow();
    expect(
      zendeskSettingsOfRow(keys, {
        id: 'acme',
        zendesk_subdomain: null,
        zendesk_api_url: null,
        zendesk_api_email: null,
        secrets: null,
      }),
    ).toEqual(NO_ZENDESK_SETTINGS);
  });
});

describe('the Zendesk settings store', () => {
  const rowsOf = (): ZendeskSettingsRows & { saved: Map<string, ZendeskTenantSettings> } => {
    const saved = new Map([['acme', full]]);
    return {
      saved,
      get: async (tenant) => (saved.has(tenant) ? { zendesk: saved.get(tenant)! } : null),
      update: async (tenant, { zendesk }) => {
        const current = saved.get(tenant);
        if (!current) return { ok: false, status: 404, code: 'tenant_not_found', message: `no ${tenant}` };
        saved.set(tenant, applyZendeskPatch(current, zendesk));
        return { ok: true, value: { zendesk: saved.get(tenant)! } };
      },
    };
  };

  it('reads a tenant settings, and null for no tenant', async () => {
    const store = new ZendeskSettingsStore(rowsOf());
    expect(await store.get('acme')).toEqual(full);
    expect(await store.get('globex')).toBeNull();
  });

  it('changes the settings it is given, and refuses a bad one naming the field, changing nothing', async () => {
    const rows = rowsOf();
    const store = new ZendeskSettingsStore(rows);
    expect(await store.set('acme', { api_email: null })).toEqual({ ok: true, value: { ...full, api_email: null } });
    const bad = await store.set('acme', { subdomain: 'acme.zendesk.com', api_token: 'another-token' });
    expect(bad).toMatchObject({ ok: false, status: 400, code: 'invalid_settings' });
    expect(!bad.ok && bad.problems?.map((p) => p.path)).toEqual(['subdomain']);
    expect(rows.saved.get('acme')).toEqual({ ...full, api_email: null });
    expect(await store.set('globex', {})).toMatchObject({ ok: false, status: 404 });
  });
});
