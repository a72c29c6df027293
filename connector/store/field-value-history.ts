/**
 * The field-value history: every custom field value a source reported, with its time and actor,
 * sealed at rest (free texts and agent ids are personal data). Mapping reads it "as of" an event's
 * time, so a replay decides exactly as the first run did, whatever the fields say today.
 */
import type { ReportedFieldValue } from '../model/field-value.ts';
import { seal, unseal, type MasterKeys } from '../model/sealing.ts';
import type { SqlClient } from './database.ts';
import { loadSql } from './sql.ts';

const SQL = { record: loadSql('field-values-record'), asOf: loadSql('field-values-as-of') };

export type { ReportedFieldValue };

export interface FieldScope {
  tenant: string;
  source: string;
  object: string;
  object_id: string;
  /** Values reported at or before this instant count. */
  at: string;
}

const aad = (tenant: string, source: string, eventId: string) => `field-value:${tenant}:${source}:${eventId}`;

export class FieldValueHistory {
  constructor(
    private readonly db: SqlClient,
    private readonly keys: MasterKeys,
  ) {}

  /** Adds reported values (idempotent per source event). */
  async record(tenant: string, source: string, values: readonly ReportedFieldValue[]): Promise<void> {
    if (values.length === 0) return;
    const rows = values.map((v) => ({
      tenant,
      source,
      object: v.object,
      object_id: v.object_id,
      field_id: v.field_id,
      field_key: v.field_key,
      field_title: v.field_title,
      changed_at: v.changed_at,
      event_id: v.event_id,
      sealed: seal(
        this.keys.fieldValues,
        Buffer.from(JSON.stringify({ value: v.value ?? null, actor_id: v.actor_id }), 'utf8'),
        aad(tenant, source, v.event_id),
      ).toString('base64'),
    }));
    await this.db.query(SQL.record, [JSON.stringify(rows)]);
  }

  /** For each scope, the newest value of every field of its object at or before its instant. One query. */
  async asOf(scopes: readonly FieldScope[]): Promise<ReportedFieldValue[][]> {
    const out: ReportedFieldValue[][] = scopes.map(() => []);
    if (scopes.length === 0) return out;
    const rows = await this.db.query<{
      idx: number;
      field_id: string;
      field_key: string;
      field_title: string;
      changed_at: string;
      event_id: string;
      sealed: string;
    }>(SQL.asOf, [JSON.stringify(scopes.map((s, idx) => ({ idx, ...s })))]);
    for (const r of rows) {
      const scope = scopes[r.idx]!;
      const part = JSON.parse(
        unseal(
          this.keys.fieldValues,
          Buffer.from(r.sealed, 'base64'),
          aad(scope.tenant, scope.source, r.event_id),
        ).toString('utf8'),
      ) as { value: unknown; actor_id: string | null };
      out[r.idx]!.push({
        object: scope.object,
        object_id: scope.object_id,
        field_id: r.field_id,
        field_key: r.field_key,
        field_title: r.field_title,
        changed_at: r.changed_at,
        event_id: r.event_id,
        value: part.value,
        actor_id: part.actor_id,
      });
    }
    return out;
  }

  /** The value and actor of one stored row (an access export reads rows it selected itself). */
  unsealRow(
    tenant: string,
    source: string,
    eventId: string,
    sealed: string,
  ): { value: unknown; actor_id: string | null } {
    return JSON.parse(
      unseal(this.keys.fieldValues, Buffer.from(sealed, 'base64'), aad(tenant, source, eventId)).toString('utf8'),
    ) as { value: unknown; actor_id: string | null };
  }
}
