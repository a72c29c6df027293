/**
 * Salesforce as an intake source: change events and Outbound Message notifications in the inbox
 * become standing events under the tenant's Salesforce mapping (map-salesforce.ts). A GAP change
 * event (Salesforce lost events for a record) is mapped from a re-read of the record, when the
 * tenant's API connection allows one; otherwise reconciliation catches it.
 */
import type { MappedRows, RowOutcome, Source, SourceBatch } from '../connector/intake/intake-source.ts';
import { ProviderRateLimitedError, ProviderUnavailableError } from '../connector/intake/provider-errors.ts';
import type { Tenant } from '../connector/tenants/tenant-registry.ts';
import type { RetryDecision } from '../connector/lib/retry-decision.ts';
import { mapSalesforceRow } from './map-salesforce.ts';
import {
  checkStatusFieldDescribe,
  DEFAULT_SALESFORCE_MAPPING_DOCUMENT,
  parseSalesforceMapping,
  type SalesforceMapping,
} from './mapping-document.ts';
import type { FieldProblem } from '../connector/model/standing-event.ts';
import type { SalesforceSettingsStore } from './tenant-settings.ts';

/** Reads records' current fields (REST), for GAP events. `null` for a record that no longer exists. */
export interface SalesforceRecordReader {
  read(
    tenant: Tenant,
    object: string,
    ids: readonly string[],
    fields: readonly string[],
  ): Promise<
    | { ok: true; records: ReadonlyMap<string, Record<string, unknown> | null> }
    | { ok: false; decision: RetryDecision }
    | { ok: false; unavailable: string }
  >;
}

/** Names of Salesforce users by id (the actor of a change); missing ones are left unnamed. */
export type SalesforceUserNames = (tenant: string, ids: readonly string[]) => Promise<ReadonlyMap<string, string>>;

/** Describes an object's fields (`GET /sobjects/{object}/describe`), or null when it cannot. */
export type SalesforceDescriber = (
  tenant: string,
  object: string,
) => Promise<readonly { name: string; calculated?: boolean }[] | null>;

/** What the source reads from the tenant's org through its session (connector/app/salesforce-wiring.ts). */
export interface SalesforceSourceOptions {
  /**
   * Re-reads records for GAP events.
   * @defaultValue none: GAP events are left to reconciliation
   */
  reader?: SalesforceRecordReader;
  /**
   * Describes objects, to check a mapping's status fields.
   * @defaultValue none: status fields are not checked against the org
   */
  describe?: SalesforceDescriber;
  /**
   * Names the users who made changes.
   * @defaultValue none: actors are recorded by id only
   */
  userNames?: SalesforceUserNames;
}

export class SalesforceSource implements Source<SalesforceMapping> {
  readonly name = 'salesforce' as const;
  readonly defaultMappingDocument = DEFAULT_SALESFORCE_MAPPING_DOCUMENT;

  private readonly reader: SalesforceRecordReader | undefined;
  private readonly describe: SalesforceDescriber | undefined;
  private readonly userNames: SalesforceUserNames | undefined;

  constructor(
    private readonly settings: SalesforceSettingsStore,
    options: SalesforceSourceOptions = {},
  ) {
    this.reader = options.reader;
    this.describe = options.describe;
    this.userNames = options.userNames;
  }

  parseMapping(document: unknown) {
    return parseSalesforceMapping(document);
  }

  /** Refuses a status field the org does not have, or a formula field (no change events, no field history). */
  async checkMappingWithProvider(tenant: string, mapping: SalesforceMapping): Promise<FieldProblem[]> {
    if (!this.describe) return [];
    const problems: FieldProblem[] = [];
    for (const [path, object, rule] of [
      ['account', 'Account', mapping.account],
      ['contact', 'Contact', mapping.contact],
    ] as const) {
      if (!rule) continue;
      const fields = await this.describe(tenant, object);
      if (fields) problems.push(...checkStatusFieldDescribe(path, rule.status_field, fields));
    }
    return problems;
  }

  async mapRows({ tenant, mapping, rows }: SourceBatch<SalesforceMapping>): Promise<MappedRows> {
    const settings = await this.settings.get(tenant.id);
    const map = (body: unknown, receivedAt: string, reread?: Record<string, unknown> | null) =>
      mapSalesforceRow({ tenant: tenant.id, body, mapping, instanceUrl: settings?.instance_url, receivedAt, reread });
    const first = rows.map((r) => map(r.body, r.received_at));
    const rereads = await this.reread(
      tenant,
      mapping,
      first.flatMap((r) => (r.outcome === 'reread' ? [r] : [])),
    );
    const skipped: string[] = [];
    const outcomes = first.map((r, i): RowOutcome => {
      if (r.outcome !== 'reread') return r;
      const found = rereads.get(`${r.object}\u0000${r.record_id}`);
      if (found === undefined) {
        skipped.push(`${r.object} ${r.record_id}: no Salesforce API connection to re-read it`);
        return {
          outcome: 'ignored',
          reason:
            `Salesforce lost change events of ${r.object} ${r.record_id} (GAP) and it could not be re-read: ` +
            `reconciliation catches it`,
        };
      }
      const again = map(rows[i]!.body, rows[i]!.received_at, found);
      return again.outcome === 'reread' ? { outcome: 'ignored', reason: 'the record could not be re-read' } : again;
    });
    await this.nameActors(tenant.id, outcomes);
    return { outcomes, skipped };
  }

  /** Adds the user's name to each event's actor (and approver), from a cached look-up; ids stay as they are. */
  private async nameActors(tenant: string, outcomes: RowOutcome[]): Promise<void> {
    if (!this.userNames) return;
    const events = outcomes.flatMap((o) => (o.outcome === 'events' ? o.events : []));
    const ids = [
      ...new Set(
        events.flatMap((e) =>
          e.actor.id && (e.actor.type === 'agent' || e.actor.type === 'integration') ? [e.actor.id] : [],
        ),
      ),
    ];
    if (ids.length === 0) return;
    const names = await this.userNames(tenant, ids).catch(() => new Map<string, string>());
    for (const e of events) {
      const name = e.actor.id ? names.get(e.actor.id) : undefined;
      if (name) e.actor.name = name;
    }
  }

  /** Current fields of the records GAP events named, by `object\0id`; empty without a reader. */
  private async reread(
    tenant: Tenant,
    mapping: SalesforceMapping,
    wanted: readonly { object: string; record_id: string }[],
  ): Promise<Map<string, Record<string, unknown> | null>> {
    const out = new Map<string, Record<string, unknown> | null>();
    if (!this.reader || wanted.length === 0) return out;
    const byObject = new Map<string, Set<string>>();
    for (const w of wanted) byObject.set(w.object, (byObject.get(w.object) ?? new Set()).add(w.record_id));
    for (const [object, ids] of byObject) {
      const rule = object === 'Account' ? mapping.account : mapping.contact;
      const fields = [
        rule?.status_field,
        rule?.reason_field?.name,
        ...(object === 'Contact' ? ['Email', 'AccountId'] : []),
      ].filter((f): f is string => !!f);
      const r = await this.reader.read(tenant, object, [...ids], fields);
      if (!r.ok) {
        if ('unavailable' in r) return out;
        if (r.decision.reason === 'rate_limited')
          throw new ProviderRateLimitedError(
            r.decision.wait ?? 60_000,
            `Salesforce rate limit for tenant ${tenant.id}`,
            tenant.id,
          );
        throw new ProviderUnavailableError(`Salesforce re-read failed for tenant ${tenant.id}: ${r.decision.reason}`);
      }
      for (const [id, fields] of r.records) out.set(`${object}\u0000${id}`, fields);
    }
    return out;
  }
}
