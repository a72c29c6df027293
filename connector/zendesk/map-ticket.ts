/**
 * Ticket events -> reinstatement workflow steps: a request (tag), a verification (field value) and
 * an approval or denial (ticket solved while the approval field holds a decision).
 * https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/
 */
import type { NewStandingEventInput } from '../model/standing-event.ts';
import {
  drafts,
  ignored,
  inferInitiator,
  invalid,
  organizationCustomer,
  source,
  unmappable,
  userCustomer,
  workflowDraft,
  type CustomerInput,
  type MapContext,
  type MapStep,
} from './map-common.ts';
import { fieldValueText } from './map-fields.ts';
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
    customer: ticketCustomer(ctx, ticket.requester_id, ticket.organization_id),
    occurredAt: envelope.time,
    relatedTicketIds: [ticket.id],
  };
  const evidence: Record<string, unknown> = { zendesk_event_type: envelope.type, zendesk_account_id: String(envelope.account_id) };

  switch (envelope.type) {
    case 'zen:event-type:ticket.tags_changed': {
      const event = TagsChange.safeParse(envelope.event);
      if (!event.success) return invalid(event.error, 'event');
      const out: NewStandingEventInput[] = ctx.mapping.ticket.tags
        .filter((rule) => event.data.added.includes(rule.tag.toLowerCase()))
        .map((rule) => workflowDraft({ ...common, kind: rule.kind, evidence: { ...evidence, tag: rule.tag.toLowerCase() } }));
      if (out.length === 0) return ignored(`no ticket.tags rule for added tags [${event.data.added.join(', ')}]`);
      return drafts(...out);
    }
    case 'zen:event-type:ticket.custom_field_changed': {
      const event = CustomFieldChange.safeParse(envelope.event);
      if (!event.success) return invalid(event.error, 'event');
      const field = event.data.field;
      const sameField = (ref: { id: string | number; title?: string }) =>
        field.id !== undefined ? norm(ref.id) === norm(field.id) : ref.title !== undefined && field.title !== undefined && norm(ref.title) === norm(field.title);
      const label = field.title ?? field.id ?? '(unnamed)';
      const value = fieldValueText(event.data.current);
      const rules = ctx.mapping.ticket.verification.filter((r) => sameField(r.field));
      if (rules.length === 0) {
        const approval = ctx.mapping.ticket.approval;
        if (approval && sameField(approval.field)) return ignored(`approval field "${label}" is read when the ticket becomes ${approval.when_status}`);
        return ignored(`ticket field "${label}" has no rule in ticket.verification`);
      }
      const rule = value.kind === 'text' ? rules.find((r) => norm(r.value) === norm(value.text)) : undefined;
      if (!rule) return ignored(`ticket field "${label}" changed to a value no ticket.verification rule records`);
      return drafts(workflowDraft({
        ...common,
        kind: 'verification_recorded',
        evidence: { ...evidence, field, value: value.kind === 'text' ? value.text : null },
        extra: { verification: [{ method: rule.method, result: rule.result, by: initiator.actor, at: envelope.time }] },
      }));
    }
    case 'zen:event-type:ticket.status_changed': {
      const event = StatusChange.safeParse(envelope.event);
      if (!event.success) return invalid(event.error, 'event');
      const { current, previous } = event.data;
      const approval = ctx.mapping.ticket.approval;
      if (!approval || current !== approval.when_status) return ignored(`ticket status changed to ${current}: no rule for it`);
      if (previous === current) return ignored(`ticket status stays ${current}`);
      // Status webhooks carry no custom field values: the decision comes from a look-up of the ticket.
      const known = ctx.directory.tickets?.[ticket.id];
      const fieldId = String(approval.field.id);
      if (!known || !(fieldId in (known.custom_fields ?? {}))) {
        if (!known) ctx.lookups.ticketIds.add(ticket.id);
        return unmappable(`ticket ${ticket.id} became ${current} but the approval field value is unknown`, [
          { path: 'ticket.approval.field', message: `look ticket ${ticket.id} up and pass custom field ${fieldId} in directory.tickets, then replay` },
        ]);
      }
      const value = fieldValueText((known.custom_fields?.[fieldId] ?? null) as Parameters<typeof fieldValueText>[0]);
      const text = value.kind === 'text' ? norm(value.text) : '';
      const decision = approval.approved.some((v) => norm(v) === text) ? 'approved' : approval.denied.some((v) => norm(v) === text) ? 'denied' : undefined;
      if (!decision) return ignored(`ticket became ${current} without an approval decision in field ${fieldId}`);
      return drafts(workflowDraft({
        ...common,
        kind: decision === 'approved' ? 'reinstatement_approved' : 'reinstatement_denied',
        evidence: { ...evidence, field: approval.field, value: text },
        extra: { approvals: [{ by: initiator.actor, role: approval.approver_role, decision, at: envelope.time }] },
      }));
    }
    default:
      return ignored(`${envelope.type} carries no standing meaning`);
  }
}

/** The requester is the customer; the ticket's organization, when set, is theirs for this matter. */
export function ticketCustomer(ctx: MapContext, requesterId: string | null | undefined, organizationId: string | null | undefined): CustomerInput {
  if (requesterId) return userCustomer(ctx, requesterId, organizationId !== undefined ? { organization_id: organizationId } : {});
  return organizationId ? organizationCustomer(ctx, organizationId) : {};
}
