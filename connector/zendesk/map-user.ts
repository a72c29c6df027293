/**
 * User events -> standing events about the user as a person (their organization is the account
 * context, never the subject): soft delete / reactivation (`user.active_changed`), suspension
 * (`user.suspended_changed`), deletion, and mapped custom fields. User events name no actor: the
 * initiator is `unknown` unless the mapping says otherwise.
 * https://developer.zendesk.com/api-reference/webhooks/event-types/user-events/
 */
import {
  drafts,
  ignored,
  inferInitiator,
  invalid,
  personSubject,
  source,
  statusDraft,
  type MapContext,
  type MapStep,
} from './map-common.ts';
import { customFieldStep } from './map-fields.ts';
import { BooleanChange, UserDetail, type ZendeskEventEnvelope } from './payloads.ts';

export function mapUserEvent(ctx: MapContext, envelope: ZendeskEventEnvelope): MapStep {
  const detail = UserDetail.safeParse(envelope.detail);
  if (!detail.success) return invalid(detail.error, 'detail');
  const user = detail.data;
  const common = {
    tenant: ctx.tenant,
    initiator: inferInitiator(ctx, user.actor_id, user.id),
    source: source(ctx, 'user', user.id, envelope.id),
    subject: personSubject(ctx, user.id, {
      email: user.email,
      external_id: user.external_id,
      organization_id: user.organization_id,
    }),
    occurredAt: envelope.time,
  };
  const evidence: Record<string, unknown> = {
    zendesk_event_type: envelope.type,
    zendesk_account_id: String(envelope.account_id),
  };

  switch (envelope.type) {
    case 'zen:event-type:user.active_changed':
    case 'zen:event-type:user.suspended_changed': {
      const event = BooleanChange.safeParse(envelope.event);
      if (!event.success) return invalid(event.error, 'event');
      const { current, previous } = event.data;
      if (current === previous) return ignored(`${envelope.type} without a change (${current})`);
      // `active:false` is a soft delete; `suspended:true` a suspension. Each flips back to active.
      const isActive = envelope.type === 'zen:event-type:user.active_changed';
      const rule = isActive ? ctx.mapping.user.active_changed : ctx.mapping.user.suspended_changed;
      if (!rule.enabled) return ignored(`${envelope.type} is turned off in the mapping`);
      const leavesActive = isActive ? current === false : current === true;
      const offStatus = isActive ? ctx.mapping.user.active_changed.deactivated_status : 'suspended';
      // `previous` says what the flag was: the status before is known when the payload gives it.
      const previousKnown = previous !== null && previous !== undefined;
      if (!leavesActive) {
        return drafts(
          statusDraft({
            ...common,
            after: 'active',
            before: previousKnown ? offStatus : null,
            temporary: false,
            reason: { code: rule.reinstatement_reason_code },
            evidence,
          }),
        );
      }
      return drafts(
        statusDraft({
          ...common,
          after: offStatus,
          before: previousKnown ? 'active' : null,
          temporary: offStatus === 'suspended',
          reason: { code: rule.reason_code },
          evidence,
        }),
      );
    }
    case 'zen:event-type:user.deleted': {
      const rule = ctx.mapping.user.deleted;
      if (!rule.enabled) return ignored('user.deleted is turned off in the mapping');
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
    case 'zen:event-type:user.custom_field_changed':
      return customFieldStep({
        ctx,
        rules: ctx.mapping.user.fields,
        rulesPath: 'user.fields',
        rawEvent: envelope.event,
        time: envelope.time,
        common,
        evidence,
      });
    default:
      return ignored(`${envelope.type} carries no standing meaning`);
  }
}
