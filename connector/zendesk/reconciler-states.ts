/**
 * What a Zendesk user or organization from an incremental export says about standing now, read with
 * the tenant's Zendesk mapping (pure):
 *
 * - users: `active: false` (a soft delete) is the mapping's `user.active_changed.deactivated_status`;
 *   `suspended: true` is `suspended` (no webhook reports it: only reconciliation sees it); each
 *   `user.fields` rule that names a field `key` reads `user_fields[key]`;
 * - organizations: `deleted_at` is `deleted`; `organization.fields` by key from
 *   `organization_fields`; an `organization.tags` rule with `added` applies while the tag is present.
 *
 * Several signals at once: the most severe wins (deleted, closed, deactivated, suspended, active).
 * None at all: `active`. A field value the mapping does not know is no signal (the webhook path
 * quarantines it; reconciliation does not guess).
 */
import type { AccountStatus } from '../model/standing-event.ts';
import { LookupCollector, accountSubject, agentUrl, personSubject, type MapContext } from './map-common.ts';
import { fieldValueText } from './map-fields.ts';
import { resolveOutcome, type FieldRule, type ZendeskMapping } from './mapping-document.ts';
import type { ExportOrganization, ExportUser } from './incremental-export.ts';
import type { ObservedState } from '../reconciliation/findings.ts';

const SEVERITY: Record<AccountStatus, number> = { active: 0, suspended: 1, deactivated: 2, closed: 3, deleted: 4 };

interface Verdict {
  status: AccountStatus;
  reasonCode?: string;
  temporary: boolean;
}

function strongest(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((best, v) => (SEVERITY[v.status] > SEVERITY[best.status] ? v : best), {
    status: 'active',
    temporary: false,
  });
}

function fieldVerdicts(rules: readonly FieldRule[], values: Record<string, unknown> | null | undefined): Verdict[] {
  const out: Verdict[] = [];
  for (const rule of rules) {
    if (rule.field.key === undefined || !values || !Object.hasOwn(values, rule.field.key)) continue;
    const v = fieldValueText(values[rule.field.key]);
    if (v.kind !== 'text') continue;
    const entry = Object.entries(rule.values).find(([k]) => k.trim().toLowerCase() === v.text.toLowerCase());
    if (!entry) continue;
    const o = resolveOutcome(entry[1]);
    out.push({ status: o.status, reasonCode: o.reasonCode, temporary: o.temporary });
  }
  return out;
}

function context(tenant: string, mapping: ZendeskMapping, subdomain: string | null): MapContext {
  return {
    tenant,
    mapping,
    subdomain,
    receivedAt: new Date(0).toISOString(),
    directory: {},
    lookups: new LookupCollector(),
    fieldsAsOf: [],
    mayWait: false,
  };
}

/** The mapping context shared by one page's records (building one per record costs more than mapping it). */
export function stateContext(tenant: string, mapping: ZendeskMapping, subdomain: string | null): MapContext {
  return context(tenant, mapping, subdomain);
}

export function userState(
  tenant: string,
  mapping: ZendeskMapping,
  subdomain: string | null,
  user: ExportUser,
  shared?: MapContext,
): ObservedState {
  const ctx = shared ?? context(tenant, mapping, subdomain);
  const verdicts = fieldVerdicts(mapping.user.fields, user.user_fields);
  const m = mapping.user;
  if (user.active === false && m.active_changed.enabled)
    verdicts.push({
      status: m.active_changed.deactivated_status,
      reasonCode: m.active_changed.reason_code,
      temporary: false,
    });
  if (user.suspended === true && m.suspended_changed.enabled)
    verdicts.push({ status: 'suspended', reasonCode: m.suspended_changed.reason_code, temporary: true });
  const v = strongest(verdicts);
  return {
    key: user.id,
    status: v.status,
    ...(v.reasonCode ? { reasonCode: v.reasonCode } : {}),
    temporary: v.temporary,
    observedAt: user.updated_at,
    describe: () => {
      const subject = personSubject(ctx, user.id, {
        email: user.email ?? null,
        external_id: user.external_id ?? null,
        organization_id: user.organization_id ?? null,
      });
      const url = agentUrl(ctx, 'user', user.id);
      return {
        customer: subject.customer,
        ...(subject.account ? { account: subject.account } : {}),
        source: { system: 'zendesk', object: 'user', id: user.id, ...(url ? { url } : {}) },
        evidence: { zendesk_active: user.active ?? null, zendesk_suspended: user.suspended ?? null },
      };
    },
  };
}

export function organizationState(
  tenant: string,
  mapping: ZendeskMapping,
  subdomain: string | null,
  org: ExportOrganization,
): ObservedState {
  const ctx = context(tenant, mapping, subdomain);
  const m = mapping.organization;
  const verdicts = fieldVerdicts(m.fields, org.organization_fields);
  if (org.deleted_at && m.deleted.enabled)
    verdicts.push({ status: 'deleted', reasonCode: m.deleted.reason_code, temporary: false });
  for (const rule of m.tags) {
    if (rule.added !== undefined && (org.tags ?? []).includes(rule.tag)) {
      const o = resolveOutcome(rule.added);
      verdicts.push({ status: o.status, reasonCode: o.reasonCode, temporary: o.temporary });
    }
  }
  const v = strongest(verdicts);
  return {
    key: org.id,
    status: v.status,
    ...(v.reasonCode ? { reasonCode: v.reasonCode } : {}),
    temporary: v.temporary,
    observedAt: org.deleted_at ?? org.updated_at,
    describe: () => {
      const url = agentUrl(ctx, 'organization', org.id);
      return {
        customer: accountSubject(ctx, org.id, org.external_id ?? null).customer,
        source: { system: 'zendesk', object: 'organization', id: org.id, ...(url ? { url } : {}) },
      };
    },
  };
}
