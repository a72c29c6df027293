/**
 * docs/zendesk.md describes the built-in Zendesk mapping ("The mapping document"): each claim it
 * makes is checked against DEFAULT_ZENDESK_MAPPING, whitespace and line breaks aside.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ZENDESK_MAPPING, resolveOutcome, type FieldRule } from '../../connector/zendesk/mapping-document.ts';

const page = readFileSync(new URL('../../docs/zendesk.md', import.meta.url), 'utf8');
const prose = page.replace(/\s+/g, ' ');

describe("docs/zendesk.md's description of the default mapping", () => {
  const table =
    /<!-- default-mapping:account_status -->\n([\s\S]*?)<!-- \/default-mapping:account_status -->/.exec(page)?.[1] ??
    '';
  const rows = table
    .split('\n')
    .filter((line) => line.startsWith('| `') && !line.includes('value |'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/`/g, '')),
    );
  const claims = (column: 1 | 2) =>
    Object.fromEntries(rows.map((r) => [r[0], { status: r[column], reason_code: r[3] || undefined }]));
  const actual = (rule: FieldRule | undefined) =>
    Object.fromEntries(
      Object.entries(rule?.values ?? {}).map(([value, outcome]) => {
        const r = resolveOutcome(outcome);
        return [value, { status: r.status, reason_code: r.reasonCode }];
      }),
    );

  it('has the account_status table', () => {
    expect(rows.length).toBeGreaterThan(3);
  });

  it('says what the default does with the user field account_status, value by value', () => {
    expect(claims(1)).toEqual(
      actual(DEFAULT_ZENDESK_MAPPING.user.fields.find((f) => f.field.key === 'account_status')),
    );
  });

  it('says what the default does with the organization field account_status, value by value', () => {
    expect(claims(2)).toEqual(
      actual(DEFAULT_ZENDESK_MAPPING.organization.fields.find((f) => f.field.key === 'account_status')),
    );
  });

  it('names the reason field both rules read', () => {
    for (const rule of [...DEFAULT_ZENDESK_MAPPING.user.fields, ...DEFAULT_ZENDESK_MAPPING.organization.fields]) {
      expect(prose).toContain(`the field \`${rule.reason_field?.key}\` (title *${rule.reason_field?.title}*)`);
    }
  });

  it('matches the other claims: soft delete status, unknown actors, the request tag', () => {
    expect(prose).toContain(`person to \`${DEFAULT_ZENDESK_MAPPING.user.active_changed.deactivated_status}\``);
    expect(DEFAULT_ZENDESK_MAPPING.initiator.missing_actor).toBe('unknown');
    expect(prose).toContain(
      'records changes that name no actor (every Zendesk user and organization event) as `unknown`',
    );
    expect(DEFAULT_ZENDESK_MAPPING.ticket.tags).toEqual([
      { tag: 'reinstatement_request', kind: 'reinstatement_requested' },
    ]);
    expect(prose).toContain('turns the ticket tag `reinstatement_request` (added) into `reinstatement_requested`');
    const { user, organization } = DEFAULT_ZENDESK_MAPPING;
    expect(user.deleted.enabled && organization.deleted.enabled).toBe(true);
  });
});
