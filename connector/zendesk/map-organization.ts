/**
 * Organization events -> standing events about the organization as an account: deletion, mapped
 * custom fields and tags. Organization events name no actor: the initiator is `unknown` unless the
 * mapping says otherwise.
 * https://developer.zendesk.com/api-reference/webhooks/event-types/organization-events/
 */
import type { NewStandingEventInput } from '../model/standing-event.ts';
import {
  drafts,
  ignored,
  inferInitiator,
  invalid,
  accountSubject,
  source,
  statusDraft,
  type MapContext,
  type MapStep,
} from './map-common.ts';
import { customFieldStep } from './map-fields.ts';
import { resolveOutcome } from './mapping-document.ts';
import { OrganizationDetail, TagsChange, type ZendeskEventEnvelope } from './payloads.ts';

export function mapOrganizationEvent(ctx: MapContext, envelope: ZendeskEventEnvelope): MapStep {
  const detail = OrganizationDetail.safeParse(envelope.detail);
  if (!detail.success) return invalid(detail.error, 'detail');
  const org = detail.data;
  const common = {
    tenant: ctx.tenant,
    // Organizations have no "self": a change is either an agent's or an automation's.
    initiator: inferInitiator(ctx, org.actor_id),
    source: source(ctx, 'organization', org.id, envelope.id),
    subject: accountSubject(ctx, org.id, org.external_id),
    occurredAt: envelope.time,
  };
  const evidence: Record<string, unknown> = {
    zendesk_event_type: envelope.type,
    zendesk_account_id: String(envelope.account_id),
  };

  switch (envelope.type) {
    case 'zen:event-type:organization.deleted': {
      const rule = ctx.mapping.organization.deleted;
      if (!rule.enabled) return ignored('organization.deleted is turned off in the mapping');
      return drafts(
        statusDraft({
          ...common,
          after: 'deleted',
          before: null,
          temporary: false,
          reason: { code: rule.reason_code },
          evidence,
        }),
      );
    }
    case 'zen:event-type:organization.custom_field_changed':
      return customFieldStep({
        ctx,
        rules: ctx.mapping.organization.fields,
        rulesPath: 'organization.fields',
        rawEvent: envelope.event,
        time: envelope.time,
        common,
        evidence,
      });
    case 'zen:event-type:organization.tags_changed': {
      const event = TagsChange.safeParse(envelope.event);
      if (!event.success) return invalid(event.error, 'event');
      const { added, removed } = event.data;
      const out: NewStandingEventInput[] = [];
      // Rule order, and within a rule removal before addition: deterministic, so `#n` suffixes are stable.
      for (const rule of ctx.mapping.organization.tags) {
        const tag = rule.tag.toLowerCase();
        for (const [change, outcome, happened] of [
          ['removed', rule.removed, removed.includes(tag)],
          ['added', rule.added, added.includes(tag)],
        ] as const) {
          if (!happened || outcome === undefined) continue;
          const resolved = resolveOutcome(outcome);
          out.push(
            statusDraft({
              ...common,
              after: resolved.status,
              before: null,
              temporary: resolved.temporary,
              reason: resolved.reasonCode ? { code: resolved.reasonCode } : undefined,
              evidence: { ...evidence, tag, change },
            }),
          );
        }
      }
      if (out.length === 0)
        return ignored(`no organization.tags rule for added [${added.join(', ')}] / removed [${removed.join(', ')}]`);
      return drafts(...out);
    }
    default:
      return ignored(`${envelope.type} carries no standing meaning`);
  }
}
