/** The README is part of the product: its configuration table must name every variable the service reads. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_REFERENCE } from '../connector/config/config.ts';
import { DEFAULT_ZENDESK_MAPPING, resolveOutcome, type FieldRule } from '../connector/zendesk/mapping-document.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(CONFIG_REFERENCE.map((e) => [e.name, e.default] as const))('documents %s', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });

  it('gives the two quick-start commands', () => {
    expect(readme).toMatch(/```sh\nnpm start[^\n]*\nnpm test[^\n]*\n```/);
  });
});

describe("README's description of the default mapping", () => {
  const table = /<!-- default-mapping:account_status -->\n([\s\S]*?)<!-- \/default-mapping:account_status -->/.exec(readme)?.[1] ?? '';
  const rows = table
    .split('\n')
    .filter((line) => line.startsWith('| `') && !line.includes('value |'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim().replace(/`/g, '')));
  const claims = (column: 1 | 2) => Object.fromEntries(rows.map((r) => [r[0], { status: r[column], reason_code: r[3] || undefined }]));
  const actual = (rule: FieldRule | undefined) =>
    Object.fromEntries(Object.entries(rule?.values ?? {}).map(([value, outcome]) => {
      const r = resolveOutcome(outcome);
      return [value, { status: r.status, reason_code: r.reasonCode }];
    }));

  it('has the account_status table', () => {
    expect(rows.length).toBeGreaterThan(3);
  });

  it('says what the default does with the user field account_status, value by value', () => {
    expect(claims(1)).toEqual(actual(DEFAULT_ZENDESK_MAPPING.user.fields.find((f) => f.field.key === 'account_status')));
  });

  it('says what the default does with the organization field account_status, value by value', () => {
    expect(claims(2)).toEqual(actual(DEFAULT_ZENDESK_MAPPING.organization.fields.find((f) => f.field.key === 'account_status')));
  });

  it('names the reason field both rules read', () => {
    for (const rule of [...DEFAULT_ZENDESK_MAPPING.user.fields, ...DEFAULT_ZENDESK_MAPPING.organization.fields]) {
      expect(readme).toContain(`the field \`${rule.reason_field?.key}\` (title\n  *${rule.reason_field?.title}*)`);
    }
  });

  it('matches the other claims: soft delete status, unknown actors, the request tag', () => {
    expect(readme).toContain(`person to \`${DEFAULT_ZENDESK_MAPPING.user.active_changed.deactivated_status}\``);
    expect(DEFAULT_ZENDESK_MAPPING.initiator.missing_actor).toBe('unknown');
    expect(readme).toContain('records changes that name no actor (every Zendesk user and organization event) as `unknown`');
    expect(DEFAULT_ZENDESK_MAPPING.ticket.tags).toEqual([{ tag: 'reinstatement_request', kind: 'reinstatement_requested' }]);
    expect(readme).toContain('turns the ticket tag `reinstatement_request` (added) into `reinstatement_requested`');
    expect(DEFAULT_ZENDESK_MAPPING.user.deleted.enabled && DEFAULT_ZENDESK_MAPPING.organization.deleted.enabled).toBe(true);
  });
});
