/**
 * Zendesk as an intake source: signed webhooks in the inbox become standing events under the
 * tenant's Zendesk mapping. Per batch: record every reported custom field value in the field-value
 * history, read each event's field values as of its time, complete missing identities through the
 * Zendesk API (node-zendesk), then map each row (map-event.ts).
 */
import type { MappedRows, RowOutcome, Source, SourceBatch } from '../intake/intake-source.ts';
import { ProviderRateLimitedError, ProviderUnavailableError } from '../intake/provider-errors.ts';
import type { FieldValueHistory } from '../store/field-value-history.ts';
import type { Tenant } from '../tenants/tenant-registry.ts';
import { fieldChangeOf, fieldScopeOf } from './field-changes.ts';
import type { FieldFact } from './map-common.ts';
import { mapZendeskWebhookWithLookups, type MappedWithLookups, type ZendeskMapResult } from './map-event.ts';
import { DEFAULT_ZENDESK_MAPPING_DOCUMENT, parseMappingDocument, type ZendeskMapping } from './mapping-document.ts';
import type { Directory, LookupRequest, ZendeskDirectory } from './zendesk-directory.ts';
import { ticketSeenFromWebhook, type TicketSeen } from './tickets-seen.ts';

export interface ZendeskSourceOptions {
  /**
   * How long after its arrival a status change that needs a companion of the same update (its
   * reason or approval field, sent by Zendesk as a separate event with the same time, in either
   * order) waits for it before it is mapped without it.
   * @defaultValue DEFAULT_COMPANION_WAIT_MS (10 s)
   */
  companionWaitMs?: number;
  /**
   * Records each ticket's requester and organization as its events show them (what the Zendesk
   * app's sidebar serves a ticket id by).
   * @defaultValue not recorded
   */
  recordTicketsSeen?: (rows: TicketSeen[]) => Promise<unknown>;
}

export const DEFAULT_COMPANION_WAIT_MS = 10_000;

/** A user's organization is known only once the user is: look-ups go in rounds until nothing new is asked. */
const MAX_LOOKUP_ROUNDS = 3;

export class ZendeskSource implements Source<ZendeskMapping> {
  readonly name = 'zendesk' as const;
  readonly defaultMappingDocument = DEFAULT_ZENDESK_MAPPING_DOCUMENT;
  private readonly companionWaitMs: number;

  constructor(
    private readonly fieldValues: FieldValueHistory,
    private readonly directory: ZendeskDirectory,
    private readonly options: ZendeskSourceOptions = {},
  ) {
    this.companionWaitMs = options.companionWaitMs ?? DEFAULT_COMPANION_WAIT_MS;
  }

  parseMapping(document: unknown) {
    return parseMappingDocument(document);
  }

  async mapRows({ tenant, mapping, rows, now }: SourceBatch<ZendeskMapping>): Promise<MappedRows> {
    // Every reported field value goes into the field-value history first, whatever its row becomes:
    // a status change of this batch or a later one reads its reason or approval from there.
    const changes = rows.flatMap((r) => fieldChangeOf(r.body) ?? []);
    await this.fieldValues.record(tenant.id, 'zendesk', changes);
    if (this.options.recordTicketsSeen) {
      const tickets = rows.flatMap((r) => ticketSeenFromWebhook(tenant.id, r.body, r.received_at) ?? []);
      if (tickets.length > 0) await this.options.recordTicketsSeen(tickets);
    }
    const scopes = rows.map((r) => fieldScopeOf(r.body));
    const wanted = scopes.flatMap((s, i) => (s ? [{ i, scope: { tenant: tenant.id, source: 'zendesk', ...s } }] : []));
    const facts = await this.fieldValues.asOf(wanted.map((w) => w.scope));
    const factsOf = new Map<number, FieldFact[]>(wanted.map((w, j) => [w.i, facts[j]!]));
    const skipped: string[] = [];
    const mapRow = (i: number, directory: Directory): MappedWithLookups => {
      const row = rows[i]!;
      return mapZendeskWebhookWithLookups({
        tenant: tenant.id,
        body: row.body,
        mapping,
        subdomain: tenant.zendesk.subdomain ?? undefined,
        invocationId: row.meta.invocation_id,
        receivedAt: row.received_at,
        directory,
        fieldsAsOf: factsOf.get(i) ?? [],
        // Measured from the delivery's arrival, so a replay (long after) never waits.
        mayWait: now < Date.parse(row.received_at) + this.companionWaitMs,
      });
    };
    const results = await this.mapWithLookups(tenant, rows.length, mapRow, skipped);
    const outcomes = results.map((result, i): RowOutcome => {
      if (result.outcome !== 'wait') return result;
      return { outcome: 'wait', retryAt: Date.parse(rows[i]!.received_at) + this.companionWaitMs };
    });
    return { outcomes, skipped };
  }

  /**
   * Maps every row once, collecting the identities the mappings lack; looks them up (through the
   * directory's cache) and maps again only the rows that read an entry a look-up brought. Look-ups go
   * in rounds until nothing new is asked: a user's organization is known only once the user is. A
   * tenant without API credentials thus costs one mapping per row, and each id asked is still
   * reported in `skipped`.
   */
  private async mapWithLookups(
    tenant: Tenant,
    count: number,
    mapRow: (i: number, directory: Directory) => MappedWithLookups,
    skipped: string[],
  ): Promise<ZendeskMapResult[]> {
    const directory: Directory = { users: {}, organizations: {} };
    const results: ZendeskMapResult[] = [];
    const consulted: ReadonlySet<string>[] = [];
    const asked = new Set<string>();
    let todo = Array.from({ length: count }, (_, i) => i);
    for (let round = 0; ; round++) {
      const wanted: LookupRequest = { userIds: [], organizationIds: [] };
      for (const i of todo) {
        const mapped = mapRow(i, directory);
        results[i] = mapped.result;
        consulted[i] = mapped.consulted;
        if (round >= MAX_LOOKUP_ROUNDS) continue;
        for (const [list, kind, ids] of [
          [wanted.userIds, 'user', mapped.lookups.userIds],
          [wanted.organizationIds, 'organization', mapped.lookups.organizationIds],
        ] as const) {
          for (const id of ids) {
            if (asked.has(`${kind}:${id}`)) continue;
            asked.add(`${kind}:${id}`);
            (list as string[]).push(id);
          }
        }
      }
      if (wanted.userIds.length + wanted.organizationIds.length === 0) return results;
      const looked = await this.directory.lookup(tenant, wanted, directory);
      if (!looked.ok) {
        const d = looked.decision;
        if (d.reason === 'rate_limited')
          throw new ProviderRateLimitedError(d.wait ?? 60_000, `Zendesk rate limit for tenant ${tenant.id}`, tenant.id);
        throw new ProviderUnavailableError(`Zendesk look-up failed for tenant ${tenant.id}: ${d.reason}`);
      }
      skipped.push(...looked.skipped);
      const brought = new Set([
        ...wanted.userIds.filter((id) => directory.users[id] !== undefined).map((id) => `user:${id}`),
        ...wanted.organizationIds
          .filter((id) => directory.organizations[id] !== undefined)
          .map((id) => `organization:${id}`),
      ]);
      if (brought.size === 0) return results;
      todo = consulted.flatMap((seen, i) => ([...seen].some((k) => brought.has(k)) ? [i] : []));
    }
  }
}
