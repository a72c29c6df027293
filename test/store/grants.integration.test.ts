/**
 * Every right the service's database role has, checked against one written table: every table of
 * the schema and every privilege, and every function that runs with the owner's rights. A table or
 * owner function the expectation does not list fails the test, so a new one must be decided here and
 * in connector/store/grants.sql (the README's "Protecting the past" says the same).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRoleSplit, type RoleSplit } from '../support/roles.ts';

const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] as const;
type Privilege = (typeof PRIVILEGES)[number];

const S: Privilege[] = ['SELECT'];
const SI: Privilege[] = ['SELECT', 'INSERT'];
const SIU: Privilege[] = ['SELECT', 'INSERT', 'UPDATE'];
const SIUD: Privilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/** What the service role may do on each table; never TRUNCATE. */
const TABLES: Record<string, Privilege[]> = {
  // The past: rows are added, never changed or removed by the service.
  standing_events: SI,
  chain_heads: S,
  chain_boundaries: S,
  checkpoints: S,
  checkpoint_keys: S,
  legal_hold_events: S,
  retention_policies: SI,
  mapping_versions: SI,
  access_audit: SI,
  access_audit_heads: SIU,
  subject_erasures: SI,
  event_attributions: SI,
  attribution_boundaries: S,
  api_keys: SIU,
  schema_migrations: S,
  service_role_grants: [],
  // Working state.
  subjects: SIUD,
  subject_identities: SIUD,
  subject_links: SIUD,
  tenants: SIUD,
  intake_inbox: SIUD,
  field_values: SIUD,
  tickets_seen: SIUD,
  tenant_app_settings: SIUD,
  salesforce_replay: SIUD,
  salesforce_gaps: SIUD,
  salesforce_settings: SIUD,
  reconciliation_checkpoints: SIUD,
  reconciliation_runs: SIUD,
  transition_claims: SIUD,
  siem_targets: SIUD,
  alert_channels: SIUD,
  alert_scan_cursor: SIUD,
  alert_outbox: SIUD,
  alert_deliveries: SIUD,
  loggly_targets: SIUD,
  insights_progress: SIUD,
  insights_daily: SIUD,
  insights_cycles: SIUD,
  insights_decisions: SIUD,
  insights_daily_reinstatements: SIUD,
  insights_daily_durations: SIUD,
  tenant_workplace_settings: SIUD,
  app_agent_sessions: SIUD,
  attribution_progress: SIUD,
};

/** Functions that run with the owner's rights (SECURITY DEFINER), and whether the service may call each. */
const OWNER_FUNCTIONS: Record<string, boolean> = {
  standing_retention_cut: true,
  standing_hold_place: true,
  standing_hold_lift: true,
  standing_checkpoint_insert: true,
  standing_chain_heads_lock: true,
  standing_chain_advance: true,
  standing_events_append: true,
  standing_checkpoint_key_register: false,
};

let split: RoleSplit;
beforeAll(async () => {
  split = await openRoleSplit('grants');
});
afterAll(async () => {
  await split?.dispose();
});

describe("the service role's grants", () => {
  it('are exactly the written table on every table and privilege', async () => {
    const tables = (
      await split.owner.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
          AND c.relkind IN ('r', 'p') ORDER BY 1`,
      )
    ).map((r) => r.name);
    expect(
      tables.filter((t) => !(t in TABLES)),
      'tables with no expected grants: add them here and in connector/store/grants.sql',
    ).toEqual([]);
    expect(
      Object.keys(TABLES).filter((t) => !tables.includes(t)),
      'expected tables that do not exist',
    ).toEqual([]);
    const actual: Record<string, Privilege[]> = {};
    for (const table of tables) {
      actual[table] = [];
      for (const p of PRIVILEGES) {
        const [r] = await split.owner.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2, $3) AS ok', [
          split.serviceRole,
          `${split.schema}.${table}`,
          p,
        ]);
        if (r!.ok) actual[table].push(p);
      }
    }
    expect(actual).toEqual(TABLES);
  });

  it('let it call exactly the listed owner functions, and it owns nothing', async () => {
    const rows = await split.owner.query<{ name: string; callable: boolean }>(
      `SELECT p.proname AS name, has_function_privilege($1, p.oid, 'EXECUTE') AS callable
       FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef ORDER BY 1`,
      [split.serviceRole],
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.callable]))).toEqual(OWNER_FUNCTIONS);
    const [grant] = await split.owner.query<{ ok: boolean }>(
      "SELECT has_function_privilege($1, 'standing_grant_service_role(text)', 'EXECUTE') AS ok",
      [split.serviceRole],
    );
    expect(grant!.ok).toBe(false);
    const owned = await split.owner.query(
      `SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relowner = $1::regrole
       UNION ALL SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
         AND proowner = $1::regrole`,
      [split.serviceRole],
    );
    expect(owned).toEqual([]);
  });

  it('pin every owner function to the schema, temporary objects last', async () => {
    const rows = await split.owner.query<{ name: string; config: string[] | null }>(
      `SELECT proname AS name, proconfig AS config FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
        AND prosecdef ORDER BY 1`,
    );
    for (const r of rows) expect(r.config, r.name).toEqual([`search_path=${split.schema}, pg_temp`]);
  });
});
