/**
 * A tenant's alert channels (migration 020, `alert_channels`): a signed webhook and a private note
 * on the related Zendesk ticket, each with the warning codes it receives (none listed: every code).
 * The webhook's signing secret is sealed under the tenant-secrets key and never shown again, only
 * its last four characters.
 */
import { z } from 'zod';
import { WARNING_CODES, type WarningCode } from '../contracts/index.ts';
import { StandingError } from '../lib/errors.ts';
import { problemsText } from '../lib/problems.ts';
import { seal, unseal, type MasterKeys } from '../model/sealing.ts';
import { describeIssues, type FieldProblem } from '../model/standing-event.ts';
import type { SqlClient } from '../store/database.ts';
import { loadSql } from '../store/sql.ts';
import type { AlertChannelKind } from './alert-payload.ts';

const SQL = {
  list: loadSql('alert-channels-list'),
  put: loadSql('alert-channel-put'),
  cursorReset: loadSql('alert-cursor-reset'),
};
const aad = (tenant: string) => `alert-secret:${tenant}:webhook`;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const WebhookUrl = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine((v) => {
    try {
      const u = new URL(v);
      const local = u.protocol === 'http:' && LOOPBACK.has(u.hostname);
      return (u.protocol === 'https:' || local) && !u.username && !u.password && !u.hash;
    } catch {
      return false;
    }
  }, 'must be an https:// URL (http:// only to localhost), without credentials');
const Warnings = z.array(z.enum(WARNING_CODES)).max(WARNING_CODES.length);

/** PUT body: absent channels stay as they are; `null` removes one. */
export const AlertChannelsInput = z.strictObject({
  webhook: z
    .strictObject({
      url: WebhookUrl.optional(),
      secret: z
        .string()
        .min(24, 'must be at least 24 characters')
        .max(512, 'must be at most 512 characters')
        .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
        .optional(),
      warnings: Warnings.optional(),
      enabled: z.boolean().optional(),
    })
    .nullable()
    .optional(),
  zendesk_note: z
    .strictObject({ warnings: Warnings.optional(), enabled: z.boolean().optional() })
    .nullable()
    .optional(),
});

export interface AlertChannel {
  kind: AlertChannelKind;
  /** The webhook's URL; null for the Zendesk note. */
  url: string | null;
  /** Codes sent; empty: every code. */
  warnings: WarningCode[];
  enabled: boolean;
  updated_by: string;
  updated_at: string;
}

/** What the API shows: the secret only as set, with its last four characters. */
export interface AlertChannelsView {
  webhook: (AlertChannel & { secret: { set: true; last4: string } }) | null;
  zendesk_note: AlertChannel | null;
}

export class InvalidAlertChannelsError extends StandingError {
  override name = 'InvalidAlertChannelsError';
  constructor(readonly problems: FieldProblem[]) {
    super(problemsText(problems));
  }
}

interface Row {
  tenant: string;
  kind: AlertChannelKind;
  url: string | null;
  secret_sealed: Buffer | null;
  warnings: WarningCode[];
  enabled: boolean;
  updated_by: string;
  updated_at: Date;
}

/** A channel ready to deliver on (the secret unsealed): for the delivery only, never shown. */
export type DeliverableChannel = AlertChannel & { tenant: string; secret: string | null };

export const wantsCode = (c: Pick<AlertChannel, 'warnings' | 'enabled'>, code: WarningCode) =>
  c.enabled && (c.warnings.length === 0 || c.warnings.includes(code));

export class AlertChannels {
  constructor(
    private readonly db: SqlClient,
    private readonly keys: MasterKeys,
  ) {}

  async view(tenant: string): Promise<AlertChannelsView> {
    const rows = await this.db.query<Row>(SQL.list, [tenant]);
    const hook = rows.find((r) => r.kind === 'webhook');
    const note = rows.find((r) => r.kind === 'zendesk_note');
    return {
      webhook: hook ? { ...fromRow(hook), secret: { set: true, last4: this.secretOf(hook).slice(-4) } } : null,
      zendesk_note: note ? fromRow(note) : null,
    };
  }

  /** The tenant's channels with their secrets (delivery and the scan only). */
  async deliverable(tenant: string): Promise<DeliverableChannel[]> {
    const rows = await this.db.query<Row>(SQL.list, [tenant]);
    return rows.map((r) => ({ ...fromRow(r), tenant: r.tenant, secret: r.secret_sealed ? this.secretOf(r) : null }));
  }

  /** Tenants with at least one enabled channel (the scan's work list). */
  async tenantsWithChannels(): Promise<string[]> {
    const rows = await this.db.query<{ tenant: string }>(
      'SELECT DISTINCT tenant FROM alert_channels WHERE enabled ORDER BY tenant',
    );
    return rows.map((r) => r.tenant);
  }

  /** Creates, changes or removes channels; validated with zod (each problem names its field). */
  async put(tenant: string, input: unknown, changedBy: string): Promise<AlertChannelsView> {
    const parsed = AlertChannelsInput.safeParse(input);
    if (!parsed.success) throw new InvalidAlertChannelsError(describeIssues(parsed.error));
    const { webhook, zendesk_note: note } = parsed.data;
    const current = await this.db.query<Row>(SQL.list, [tenant]);
    const hook = current.find((r) => r.kind === 'webhook');
    const oldNote = current.find((r) => r.kind === 'zendesk_note');
    if (webhook && !hook) {
      const missing: FieldProblem[] = [];
      if (webhook.url === undefined)
        missing.push({ path: 'webhook.url', message: 'is required to create the webhook' });
      if (webhook.secret === undefined)
        missing.push({ path: 'webhook.secret', message: 'is required to create the webhook' });
      if (missing.length > 0) throw new InvalidAlertChannelsError(missing);
    }
    if (webhook === null || note === null)
      await this.db.query('DELETE FROM alert_channels WHERE tenant = $1 AND kind = ANY($2::text[])', [
        tenant,
        [...(webhook === null ? ['webhook'] : []), ...(note === null ? ['zendesk_note'] : [])],
      ]);
    if (webhook) {
      const sealed =
        webhook.secret !== undefined
          ? seal(this.keys.tenantSecrets, Buffer.from(webhook.secret, 'utf8'), aad(tenant))
          : hook!.secret_sealed;
      await this.db.query(SQL.put, [
        tenant,
        'webhook',
        webhook.url ?? hook!.url,
        sealed,
        webhook.warnings ?? hook?.warnings ?? [],
        webhook.enabled ?? hook?.enabled ?? true,
        changedBy,
      ]);
    }
    if (note)
      await this.db.query(SQL.put, [
        tenant,
        'zendesk_note',
        null,
        null,
        note.warnings ?? oldNote?.warnings ?? [],
        note.enabled ?? oldNote?.enabled ?? true,
        changedBy,
      ]);
    // Alerts start at the log's head when the first channel is set up or one is turned on after all
    // were off: warnings from before (or from while nothing listened) are not sent as a late flood.
    const wasOn = current.some((r) => r.enabled);
    const view = await this.view(tenant);
    if (!wasOn && (view.webhook?.enabled || view.zendesk_note?.enabled)) await this.db.query(SQL.cursorReset, [tenant]);
    return view;
  }

  private secretOf(r: Row): string {
    return unseal(this.keys.tenantSecrets, r.secret_sealed!, aad(r.tenant)).toString('utf8');
  }
}

function fromRow(r: Row): AlertChannel {
  return {
    kind: r.kind,
    url: r.url,
    warnings: r.warnings,
    enabled: r.enabled,
    updated_by: r.updated_by,
    updated_at: new Date(r.updated_at).toISOString(),
  };
}
