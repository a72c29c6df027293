/**
 * Maps one Zendesk webhook body (an event-subscription event or a trigger body written from
 * ZENDESK_TRIGGER_BODY_TEMPLATE) to standing events under a tenant's mapping document. Pure: the
 * caller verifies the signature, looks identities up (see `identityLookupsFor`) and stores results.
 */
import type { ZendeskMapping } from './mapping-document.ts';
import {
  finalize,
  ignored,
  invalid,
  LookupCollector,
  unmappable,
  type MapContext,
  type MapperDirectory,
  type MapStep,
  type MapZendeskWebhookInput,
  type ZendeskMapResult,
} from './map-common.ts';
import { mapOrganizationEvent } from './map-organization.ts';
import { mapTicketEvent } from './map-ticket.ts';
import { looksLikeTriggerBody, mapTriggerBody } from './map-trigger.ts';
import { mapUserEvent } from './map-user.ts';
import {
  DOCUMENTED_OTHER_EVENT_TYPES,
  isStandingEventType,
  looksLikeEventEnvelope,
  parseEventEnvelope,
  STANDING_EVENT_SCHEMAS,
} from './payloads.ts';

export type { MapperDirectory, MapZendeskWebhookInput, ZendeskMapResult } from './map-common.ts';
export { ZENDESK_TRIGGER_BODY_TEMPLATE } from './map-trigger.ts';

/**
 * - `events`: valid standing events (`source.event_id` = the Zendesk event id, `#n`-suffixed when
 *   one Zendesk event yields several);
 * - `ignored`: a known body that means nothing for standing under this mapping;
 * - `unmappable`: the mapping cannot say what it means (unknown type or value, unknown body shape):
 *   quarantine it, fix the mapping, replay;
 * - `invalid`: the body is malformed for its declared type.
 */
export function mapZendeskWebhook(input: MapZendeskWebhookInput): ZendeskMapResult {
  return finalize(route(contextOf(input, new LookupCollector()), input.body));
}

export interface IdentityLookups {
  userIds: string[];
  organizationIds: string[];
}

/** A mapping with the look-ups it wanted (see `identityLookupsFor`) and the directory entries it read. */
export interface MappedWithLookups {
  result: ZendeskMapResult;
  lookups: IdentityLookups;
  /** `user:<id>` / `organization:<id>` for every directory entry the mapping read. */
  consulted: ReadonlySet<string>;
}

/**
 * `mapZendeskWebhook` and `identityLookupsFor` in one pass over the body (the intake maps each row
 * once, and again only when a look-up brought an entry the mapping read).
 */
export function mapZendeskWebhookWithLookups(input: MapZendeskWebhookInput): MappedWithLookups {
  const collector = new LookupCollector();
  const step = route(contextOf(input, collector), input.body);
  const lookups: IdentityLookups =
    step.outcome === 'drafts'
      ? { userIds: [...collector.userIds], organizationIds: [...collector.organizationIds] }
      : { userIds: [], organizationIds: [] };
  return { result: finalize(step), lookups, consulted: collector.consulted };
}

/**
 * Which Zendesk users and organizations to fetch before mapping, because the payload lacks an email
 * or an organization's external id. Look-ups only complete identities: what an event means never
 * depends on them. Only asked for bodies the mapping would turn into events. Pass what was already
 * fetched as `directory` to get the next round (a user's organization is known only once the user is).
 */
export function identityLookupsFor(
  tenant: string,
  body: unknown,
  mapping: ZendeskMapping,
  directory?: MapperDirectory,
): IdentityLookups {
  const lookups = new LookupCollector();
  const step = route(
    contextOf({ tenant, body, mapping, directory, receivedAt: new Date().toISOString() }, lookups),
    body,
  );
  if (step.outcome !== 'drafts') return { userIds: [], organizationIds: [] };
  return { userIds: [...lookups.userIds], organizationIds: [...lookups.organizationIds] };
}

function contextOf(input: MapZendeskWebhookInput, lookups: LookupCollector): MapContext {
  return {
    tenant: input.tenant,
    mapping: input.mapping,
    subdomain: input.subdomain,
    invocationId: input.invocationId,
    receivedAt: input.receivedAt,
    directory: input.directory ?? {},
    lookups,
    fieldsAsOf: input.fieldsAsOf ?? [],
    mayWait: input.mayWait ?? false,
  };
}

function route(ctx: MapContext, body: unknown): MapStep {
  if (looksLikeEventEnvelope(body)) {
    const envelope = parseEventEnvelope(body as object);
    if (!envelope.success) return invalid(envelope.error, '');
    const type = envelope.data.type;
    if (!isStandingEventType(type)) {
      if (DOCUMENTED_OTHER_EVENT_TYPES.has(type)) return ignored(`${type} carries no standing meaning`);
      return unmappable(`unknown Zendesk event type "${type}"`, [
        {
          path: 'type',
          message: 'not an event type this connector knows: check the webhook subscriptions or update the connector',
        },
      ]);
    }
    switch (STANDING_EVENT_SCHEMAS[type].object) {
      case 'user':
        return mapUserEvent(ctx, envelope.data);
      case 'organization':
        return mapOrganizationEvent(ctx, envelope.data);
      case 'ticket':
        return mapTicketEvent(ctx, envelope.data);
    }
  }
  if (looksLikeTriggerBody(body)) return mapTriggerBody(ctx, body);
  return unmappable('unknown body shape', [
    {
      path: '(root)',
      message:
        'neither a Zendesk event (type "zen:event-type:...") nor a trigger body with standing.kind (see ' +
        'ZENDESK_TRIGGER_BODY_TEMPLATE)',
    },
  ]);
}
