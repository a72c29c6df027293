/**
 * Creating and revoking a tenant's API keys, for the API and the CLI alike. Who can read is part of
 * who read: each creation and revocation is a record of the tenant's read audit (who, the key's id,
 * role and name, when), written in the transaction that changes the key, so no key exists that the
 * tenant's auditors and admins cannot see being issued.
 *
 * An `auditor` key reads every customer's history. With `operatorAuditorKeys: 'first-only'` the
 * operator's token issues only a tenant's first one ever (break-glass, to hand the tenant its
 * auditor); further ones are issued by that tenant's auditors, so a BPO operator cannot mint
 * itself a reader of a client's customers. A refusal is recorded as a denied attempt.
 */
import { AccessAudit } from '../audit/access-audit.ts';
import type { OperatorAuditorKeyPolicy } from '../config/defaults.ts';
import type { Database } from '../store/database.ts';
import { describeIssues, type FieldProblem } from '../model/standing-event.ts';
import { ApiKeyStore, NewApiKey, type ApiKeyView } from '../access/api-keys.ts';
import { principalLabel, type Principal } from '../access/principal.ts';

export interface KeyIssuerOptions {
  /**
   * Whether the operator may issue a tenant's auditor keys beyond its first one (STANDING_OPERATOR_AUDITOR_KEYS).
   * @defaultValue 'always'
   */
  operatorAuditorKeys?: OperatorAuditorKeyPolicy;
}

export type IssueResult =
  | { ok: true; key: string; view: ApiKeyView }
  | { ok: false; problems: FieldProblem[] }
  /** The operator may not issue this auditor key: why, and who can. */
  | { ok: false; refused: string };

export type RevokeResult = { key: ApiKeyView; revoked_now: boolean } | null;

/** The permission an issuance needs: auditor keys are the auditors' (and the operator's first). */
export const issuePermission = (role: unknown) =>
  (role === 'auditor' ? 'keys.issue_auditor' : 'tenants.provision') as 'keys.issue_auditor' | 'tenants.provision';

export function operatorAuditorRefusal(tenant: string): string {
  return (
    `the operator token may issue only the first auditor key of a tenant ` +
    `(STANDING_OPERATOR_AUDITOR_KEYS=first-only), and tenant "${tenant}" has had one: ` +
    `further auditor keys are issued by the tenant's auditors (POST /api/v1/tenants/${tenant}/keys with an ` +
    `auditor key of "${tenant}")`
  );
}

export class KeyIssuer {
  private readonly policy: OperatorAuditorKeyPolicy;

  constructor(
    private readonly db: Database,
    options: KeyIssuerOptions = {},
  ) {
    this.policy = options.operatorAuditorKeys ?? 'always';
  }

  /**
   * Creates a key of an existing tenant for `by`; `path` says how (`POST /api/v1/...`, `cli key create`).
   * The route or command has checked `by` holds `issuePermission(role)`.
   */
  async create(tenant: string, input: unknown, by: Principal, path: string): Promise<IssueResult> {
    const parsed = NewApiKey.safeParse(input);
    if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error) };
    const { role } = parsed.data;
    const outcome = await this.db.transaction(async (tx): Promise<IssueResult> => {
      // The tenant's row lock serializes its key creations, so two first auditor keys cannot both be "first".
      await tx.query('SELECT id FROM tenants WHERE id = $1 FOR UPDATE', [tenant]);
      const keys = new ApiKeyStore(tx);
      if (
        role === 'auditor' &&
        by.type === 'operator' &&
        this.policy === 'first-only' &&
        (await keys.hasEverHad(tenant, 'auditor'))
      ) {
        return { ok: false, refused: operatorAuditorRefusal(tenant) };
      }
      const created = await keys.create(tenant, parsed.data, principalLabel(by));
      if (!created.ok) return created;
      const { key_id, name } = created.view;
      await new AccessAudit(tx).recordKeyChange({
        tenant,
        principal: by,
        action: 'key.create',
        path,
        key: { key_id, role, name },
      });
      return created;
    });
    if ('refused' in outcome) {
      await new AccessAudit(this.db).recordDenied({
        tenant,
        principal: by,
        path,
        permission: 'keys.issue_auditor',
        reason: outcome.refused,
      });
    }
    return outcome;
  }

  /** Revokes a key of the tenant; the revocation is recorded once, when it happens. `null`: no such key. */
  async revoke(tenant: string, keyId: string, by: Principal, path: string): Promise<RevokeResult> {
    if (!/^[0-9a-f]{16}$/.test(keyId)) return null;
    return this.db.transaction(async (tx) => {
      const revoked = await new ApiKeyStore(tx).revoke(tenant, keyId, principalLabel(by));
      if (revoked?.revoked_now) {
        const { role, name } = revoked.key;
        await new AccessAudit(tx).recordKeyChange({
          tenant,
          principal: by,
          action: 'key.revoke',
          path,
          key: { key_id: keyId, role, name },
        });
      }
      return revoked;
    });
  }
}
