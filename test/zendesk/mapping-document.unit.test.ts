import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ZENDESK_MAPPING,
  DEFAULT_ZENDESK_MAPPING_DOCUMENT,
  parseMappingDocument,
  zendeskMappingJsonSchema,
} from '../../connector/zendesk/mapping-document.ts';

function problemsOf(input: unknown) {
  const r = parseMappingDocument(input);
  if (r.ok) throw new Error('expected the mapping document to be refused');
  return r.problems;
}

const withUserField = (values: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: 1,
  user: { fields: [{ field: { key: 'account_status' }, values, ...extra }] },
});

describe('the default mapping', () => {
  it('parses, and DEFAULT_ZENDESK_MAPPING is its parsed form', () => {
    const r = parseMappingDocument(DEFAULT_ZENDESK_MAPPING_DOCUMENT);
    expect(r).toEqual({ ok: true, mapping: DEFAULT_ZENDESK_MAPPING });
  });

  it(
    'maps soft deletes to deleted, an account_status field on users and organizations, and reinstatement ' +
      'requests by tag',
    () => {
      expect(DEFAULT_ZENDESK_MAPPING.user.active_changed).toMatchObject({
        enabled: true,
        deactivated_status: 'deleted',
      });
      expect(DEFAULT_ZENDESK_MAPPING.user.deleted.enabled).toBe(true);
      expect(DEFAULT_ZENDESK_MAPPING.organization.deleted.enabled).toBe(true);
      expect(DEFAULT_ZENDESK_MAPPING.user.fields[0]?.field.key).toBe('account_status');
      expect(DEFAULT_ZENDESK_MAPPING.organization.fields[0]?.field.key).toBe('account_status');
      expect(DEFAULT_ZENDESK_MAPPING.ticket.tags).toEqual([
        { tag: 'reinstatement_request', kind: 'reinstatement_requested' },
      ]);
      expect(DEFAULT_ZENDESK_MAPPING.ticket.approval).toBeNull();
    },
  );

  it('survives a JSON round trip (what an admin API stores)', () => {
    expect(parseMappingDocument(JSON.parse(JSON.stringify(DEFAULT_ZENDESK_MAPPING)))).toEqual({
      ok: true,
      mapping: DEFAULT_ZENDESK_MAPPING,
    });
  });
});

describe('parseMappingDocument', () => {
  it('fills every section with defaults from {version: 1}', () => {
    const r = parseMappingDocument({ version: 1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.mapping.user.active_changed.deactivated_status).toBe('deleted');
    expect(r.mapping.user.fields).toEqual([]);
    expect(r.mapping.initiator).toEqual({ automation_actor_ids: [], missing_actor: 'unknown' });
    expect(r.mapping.trigger_bodies.enabled).toBe(true);
  });

  it('accepts deactivated as the soft-delete status and a full ticket section', () => {
    const r = parseMappingDocument({
      version: 1,
      user: { active_changed: { deactivated_status: 'deactivated' } },
      ticket: {
        verification: [{ field: { id: '360011', title: 'Identity check' }, value: 'passed', method: 'id_document' }],
        approval: { field: { id: 360012 }, approver_role: 'team_lead' },
      },
    });
    expect(r.ok && r.mapping.ticket.approval).toMatchObject({
      approved: ['approved'],
      denied: ['denied'],
      when_status: 'solved',
      approver_role: 'team_lead',
    });
  });

  it.each([
    [{ version: 2 }, 'version', 'must be 1'],
    [{}, 'version', 'must be 1'],
    [null, '(root)', 'expected object'],
    [{ version: 1, surprise: true }, 'surprise', 'unknown key "surprise"'],
    [
      { version: 1, user: { active_changed: { deactivated_status: 'closed' } } },
      'user.active_changed.deactivated_status',
      'must be deleted or deactivated',
    ],
    [{ version: 1, user: { deleted: { enabled: true, reason: 'x' } } }, 'user.deleted.reason', 'unknown key "reason"'],
    [{ version: 1, user: { deleted: { reason_code: 'Not A Code' } } }, 'user.deleted.reason_code', 'lowercase code'],
    [withUserField({ frozen: 'frozen' }), 'user.fields.0.values.frozen', 'unknown status "frozen"'],
    [withUserField({ frozen: { status: 'frozen' } }), 'user.fields.0.values.frozen.status', 'unknown status "frozen"'],
    [
      withUserField({ frozen: 7 }),
      'user.fields.0.values.frozen',
      'must be a status name or {status, reason_code?, temporary?}',
    ],
    [
      withUserField({ frozen: { status: 'suspended', why: 'x' } }),
      'user.fields.0.values.frozen.why',
      'unknown key "why"',
    ],
    [
      withUserField({ frozen: { status: 'suspended', temporary: false } }),
      'user.fields.0.values.frozen.temporary',
      'temporary by definition',
    ],
    [
      withUserField({ active: { status: 'active', temporary: true } }),
      'user.fields.0.values.active.temporary',
      'cannot be temporary',
    ],
    [withUserField({ Closed: 'closed', closed: 'closed' }), 'user.fields.0.values.closed', 'same value as "Closed"'],
    [withUserField({}), 'user.fields.0.values', 'at least one'],
    [
      withUserField({ a: 'active' }, { reason_field: { key: 'account_status' } }),
      'user.fields.0.reason_field.key',
      'another field',
    ],
    [
      { version: 1, user: { fields: [{ field: {}, values: { a: 'active' } }] } },
      'user.fields.0.field',
      'key, id or title',
    ],
    [
      { version: 1, organization: { fields: [{ field: { id: 'abc' }, values: { a: 'active' } }] } },
      'organization.fields.0.field.id',
      'digits only',
    ],
    [{ version: 1, organization: { tags: [{ tag: 'suspended' }] } }, 'organization.tags.0', 'added, removed'],
    [
      { version: 1, organization: { tags: [{ tag: 'Suspended', added: 'suspended' }] } },
      'organization.tags.0.tag',
      'lowercase',
    ],
    [
      {
        version: 1,
        organization: {
          tags: [
            { tag: 'x', added: 'suspended' },
            { tag: 'x', removed: 'active' },
          ],
        },
      },
      'organization.tags.1.tag',
      'organization.tags.0',
    ],
    [
      { version: 1, ticket: { tags: [{ tag: 'reinstatement_request', kind: 'deactivation' }] } },
      'ticket.tags.0.kind',
      'reinstatement_requested',
    ],
    [{ version: 1, ticket: { tags: [{ tag: 'a' }, { tag: 'a' }] } }, 'ticket.tags.1.tag', 'ticket.tags.0'],
    [
      {
        version: 1,
        ticket: {
          verification: [
            { field: { id: '1' }, value: 'Passed', method: 'id' },
            { field: { id: 1 }, value: 'passed', method: 'callback' },
          ],
        },
      },
      'ticket.verification.1.value',
      'ticket.verification.0',
    ],
    [
      { version: 1, ticket: { verification: [{ field: { id: '1' }, value: 'ok', method: 'id', result: 'great' }] } },
      'ticket.verification.0.result',
      'passed, failed or pending',
    ],
    [
      { version: 1, ticket: { approval: { field: { id: '1' }, approved: ['ok'], denied: ['OK'] } } },
      'ticket.approval.denied.0',
      'also listed as approved',
    ],
    [
      { version: 1, ticket: { approval: { field: { id: '1' }, approved: [] } } },
      'ticket.approval.approved',
      'at least one',
    ],
    [
      { version: 1, ticket: { approval: { field: { id: '1' }, when_status: 'done' } } },
      'ticket.approval.when_status',
      'new, open, pending, hold, solved, closed',
    ],
    [{ version: 1, initiator: { automation_actor_ids: ['42', 42] } }, 'initiator.automation_actor_ids.1', 'duplicates'],
    [
      { version: 1, trigger_bodies: { kinds: ['reinstatement', 'teleport'] } },
      'trigger_bodies.kinds.1',
      'unknown kind "teleport"',
    ],
  ])('refuses %j at %s', (input, path, message) => {
    const problems = problemsOf(input);
    const hit = problems.find((p) => p.path === path);
    expect(hit, JSON.stringify(problems)).toBeDefined();
    expect(hit?.message).toContain(message);
  });

  it('reports each unknown key separately', () => {
    expect(problemsOf({ version: 1, ticket: { tagz: [], approvals: null } }).map((p) => p.path)).toEqual([
      'ticket.tagz',
      'ticket.approvals',
    ]);
  });

  it('reports duplicate rules for one user field by key, id or title', () => {
    const doc = {
      version: 1,
      user: {
        fields: [
          { field: { key: 'account_status', id: '11', title: 'Account status' }, values: { a: 'active' } },
          { field: { key: 'ACCOUNT_STATUS' }, values: { a: 'active' } },
          { field: { id: 11 }, values: { a: 'active' } },
          { field: { title: 'account status' }, values: { a: 'active' } },
        ],
      },
    };
    expect(problemsOf(doc).map((p) => p.path)).toEqual([
      'user.fields.1.field.key',
      'user.fields.2.field.id',
      'user.fields.3.field.title',
    ]);
  });
});

describe('zendeskMappingJsonSchema', () => {
  it('describes the document as an admin writes it', () => {
    const schema = zendeskMappingJsonSchema() as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual([
      'version',
      'user',
      'organization',
      'ticket',
      'initiator',
      'trigger_bodies',
      'identities',
    ]);
    expect(schema.required).toEqual(['version']);
    expect(schema.additionalProperties).toBe(false);
  });
});
