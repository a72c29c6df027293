/**
 * Ticket events -> reinstatement workflow steps about the ticket's requester (a person; the
 * ticket's organization is the account context): a request (tag), a verification (field value) and
 * an approval or denial (ticket solved while the approval field holds a decision, set by the agent
 * who approves).
 * https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/
 */
import type { NewStandingEventInput } from '../model/standing-event.ts';
import {
  accountSubject,
  drafts,
  ignored,
  inferInitiator,
  invalid,
  personSubject,
  source,
  wait,
  workflowDraft,
  type MapContext,
  type MapStep,
  type SubjectInput,
} from './map-common.ts';
import { fieldValueText, findFieldFact, sameUpdate } from './map-fields.ts';
import { CustomFieldChange, StatusChange, TagsChange, TicketDetail, type ZendeskEventEnvelope } from './payloads.ts';

const norm = (s: string | number) => String(s).trim().toLowerCase();

export function mapTicketEvent(ctx: MapContext, envelope: ZendeskEventEnvelope): MapStep {
  const detail = TicketDetail.safeParse(envelope.detail);
  if (!detail.success) return invalid(detail.error, 'detail');
  const ticket = detail.data;
  const initiator = inferInitiator(ctx, ticket.actor_id, ticket.requester_id);
  const common = {
    tenant: ctx.tenant,
    initiator,
    source: source(ctx, 'ticket', ticket.id, envelope.id),
    subject: ticketSubject(ctx, ticket.requester_id, ticket.organization_id),
    occurredAt: envelope.time,
    relatedTicketIds: [ticket.id],
  };
  const evidence: Record<string, unknown> = {
    zendesk_event_type: envelope.type,
    zendesk_account_id: String(envelope.account_id),
  };

  switch (envelope.type) {
    case 'zen:event-type:ticket.tags_changed': {
      const event = TagsChange.safeParse(envelope.event);
      if (!event.success) return invalid(event.error, 'event');
      const out: NewStandingEventInput[] = ctx.mapping.ticket.tags
        .filter((rule) => event.data.added.includes(rule.tag.toLowerCase()))
        .map((rule) =>
          workflowDraft({ ...common, kind: rule.kind, evidence: { ...evidence, tag: rule.tag.toLowerCase() } }),
        );
      if (out.length === 0) return ignored(`no ticket.tags rule for added tags [${event.data.added.join(', ')}]`);
      return drafts(...out);
    }
    case 'zen:event-type:ticket.custom_field_changed': {
      const event = CustomFieldChange.safeParse(envelope.event);
      if (!event.success) return invalid(event.error, 'event');
      const field = event.data.field;
      const sameField = (ref: { id: string | number; title?: string }) =>
        field.id !== undefined
          ? norm(ref.id) === norm(field.id)
          : ref.title !== undefined && field.title !== undefined && norm(ref.title) === norm(field.title);
      const label = field.title ?? field.id ?? '(unnamed)';
      const value = fieldValueText(event.data.current);
      const rules = ctx.mapping.ticket.verification.filter((r) => sameField(r.field));
      if (rules.length === 0) {
        const approval = ctx.mapping.ticket.approval;
        if (approval && sameField(approval.field))
          return ignored(`approval field "${label}" is read when the ticket becomes ${approval.when_status}`);
        return ignored(`ticket field "${label}" has no rule in ticket.verification`);
      }
      const rule = value.kind === 'text' ? rules.find((r) => norm(r.value) === norm(value.text)) : undefined;
      if (!rule) return ignored(`ticket field "${label}" changed to a value no ticket.verification rule records`);
      return drafts(
        workflowDraft({
          ...common,
          kind: 'verification_recorded',
          evidence: { ...evidence, field, value: value.kind === 'text' ? value.text : null },
          extra: {
            verification: [{ method: rule.method, result: rule.result, by: initiator.actor, at: envelope.time }],
          },
        }),
      );
    }
    case 'zen:event-type:ticket.status_changed': {
      const event = StatusChange.safeParse(envelope.event);
      if (!event.success) return invalid(event.error, 'event');
      const { current, previous } = event.data;
      const approval = ctx.mapping.ticket.approval;
      if (!approval || current !== approval.when_status)
        return ignored(`ticket status changed to ${current}: no rule for it`);
      if (previous === current) return ignored(`ticket status stays ${current}`);
      // Status webhooks carry no custom field values: the decision is the approval field's value as
      // the ticket's custom_field_changed events reported it up to this moment. Set in the same
      // update as the status, it may arrive after it: wait for it while it still can.
      const fact = findFieldFact(ctx.fieldsAsOf, { id: approval.field.id });
      if (!sameUpdate(fact, envelope.time) && ctx.mayWait)
        return wait(`waiting for the approval field (${approval.field.id}) changed in the same update`);
      if (!fact) {
        return ignored(
          `ticket ${ticket.id} became ${current} but no value of the approval field ${approval.field.id} was ` +
            `reported before (subscribe the webhook to ticket.custom_field_changed)`,
        );
      }
      const value = fieldValueText(fact.value);
      const text = value.kind === 'text' ? norm(value.text) : '';
      const decision = approval.approved.some((v) => norm(v) === text)
        ? 'approved'
        : approval.denied.some((v) => norm(v) === text)
          ? 'denied'
          : undefined;
      if (!decision)
        return ignored(`ticket became ${current} without an approval decision in field ${approval.field.id}`);
      // The approver is whoever set the approval field, when they set it; not whoever solved the ticket.
      const approverCtx = inferInitiator(ctx, fact.actor_id, ticket.requester_id);
      return drafts(
        workflowDraft({
          ...common,
          kind: decision === 'approved' ? 'reinstatement_approved' : 'reinstatement_denied',
          evidence: {
            ...evidence,
            field: approval.field,
            value: text,
            approval_field_set_at: fact.changed_at,
            approval_field_event_id: fact.event_id,
          },
          extra: {
            approvals: [{ by: approverCtx.actor, role: approval.approver_role, decision, at: fact.changed_at }],
          },
        }),
      );
    }
    default:
      return ignored(`${envelope.type} carries no standing meaning`);
  }
}

/**
 * The requester is the person the ticket is about; the ticket's organization, when set, is their
 * account for this matter. A ticket without a requester is about its organization.
 */
export function ticketSubject(
  ctx: MapContext,
  requesterId: string | null | undefined,
  organizationId: string | null | undefined,
): SubjectInput {
  if (requesterId)
    return personSubject(ctx, requesterId, organizationId !== undefined ? { organization_id: organizationId } : {});
  return organizationId ? accountSubject(ctx, organizationId) : { customer: {} };
}
