/**
 * `standing retention set|show|apply` and `standing hold place|lift|list`: retention policies per
 * tenant, the retention run (the scheduler's job, by hand), and legal holds. Every change is
 * recorded with who made it (the authenticated principal: cli/command-access.ts).
 */
import { Option, type Command } from 'commander';
import { IDENTITY_KINDS, type CustomerIdentities } from '../model/standing-event.ts';
import { loadSecrets } from '../config/secrets.ts';
import { StandingLog } from '../store/standing-log.ts';
import {
  HoldActorRefusedError,
  InvalidRetentionPolicyError,
  RETENTION_CATEGORIES,
  Retention,
  UnknownHoldError,
  applyRetention,
} from '../store/retention.ts';
import { formatConfigProblems } from '../config/config.ts';
import { migrateFor } from '../store/open-migrated.ts';
import {
  CliFailure,
  EXIT,
  loadConfigOrFail,
  tenantIdArgument,
  withDatabase,
  writeJson,
  writeTable,
  type SetExitCode,
} from './common.ts';
import { signingKey, withLog } from './log-access.ts';

const actorOf = (actor: string | undefined): string => {
  // Set by the role check (command-access.ts) from the authenticated key: never from an argument.
  const who = (actor ?? '').trim();
  if (who === '') throw new Error('a retention or hold command ran without the role check (no actor)');
  return who;
};
const reasonOf = (reason: string): string => {
  if (reason.trim() === '' || reason.length > 2000)
    throw new CliFailure('--reason: must be 1-2000 characters', EXIT.usage);
  return reason.trim();
};

async function runSet(o: {
  tenant: string;
  category: string;
  days?: string;
  actor?: string;
  json?: boolean;
}): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const input = { category: o.category, ...(o.days !== undefined ? { keep_days: Number(o.days) } : {}) };
  const actor = actorOf(o.actor);
  const policy = await withLog(loadConfigOrFail(), (log) =>
    new Retention(log.db).setPolicy(tenant, input, actor).catch((err: unknown) => {
      if (err instanceof InvalidRetentionPolicyError)
        throw new CliFailure(`invalid policy: ${err.message}`, EXIT.usage);
      throw err;
    }),
  );
  if (o.json) writeJson(policy);
  else
    process.stdout.write(
      `${tenant}: retention policy v${policy.version}: ` +
        `${policy.category}${policy.keep_days !== null ? `, ${policy.keep_days} days` : ''}\n`,
    );
  return EXIT.ok;
}

async function runShow(o: { tenant: string; json?: boolean }): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const [policy, holds] = await withLog(loadConfigOrFail(), async (log) => {
    const r = new Retention(log.db);
    return [await r.policy(tenant), await r.activeHolds(tenant)] as const;
  });
  if (o.json) writeJson({ tenant, policy, active_holds: holds });
  else {
    const shown = policy
      ? `${policy.category}${policy.keep_days !== null ? `, ${policy.keep_days} days` : ''} ` +
        `(v${policy.version}, set by ${policy.changed_by} at ${policy.changed_at})`
      : 'no retention policy: nothing is removed';
    process.stdout.write(`${tenant}: ${shown}\n`);
    process.stdout.write(`${holds.length} active legal hold(s)\n`);
  }
  return EXIT.ok;
}

async function runApply(o: { tenant?: string; json?: boolean }): Promise<number> {
  const tenants = o.tenant !== undefined ? [tenantIdArgument(o.tenant, '--tenant')] : undefined;
  const config = loadConfigOrFail();
  const key = await signingKey(config);
  const outcomes = await withLog(config, (log) => applyRetention(log, key, { tenants }));
  if (o.json) writeJson(outcomes);
  else
    for (const r of outcomes) {
      const line =
        r.status === 'removed'
          ? `removed seq up to ${r.through} (${r.removed} rows, recorded before ${r.cutoff})`
          : r.status === 'held'
            ? `held: ${r.removed} rows removed, the rest kept by a legal hold`
            : r.status === 'nothing_expired'
              ? 'nothing expired'
              : 'no policy';
      process.stdout.write(`${r.tenant}: ${line}\n`);
    }
  return EXIT.ok;
}

async function runPlace(o: {
  tenant: string;
  identity?: string[];
  reason: string;
  actor?: string;
  json?: boolean;
}): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const reason = reasonOf(o.reason);
  const actor = actorOf(o.actor);
  const identities: Partial<CustomerIdentities> = {};
  for (const pair of o.identity ?? []) {
    const at = pair.indexOf('=');
    const kind = pair.slice(0, at) as (typeof IDENTITY_KINDS)[number];
    if (at < 1 || !IDENTITY_KINDS.includes(kind))
      throw new CliFailure(
        `--identity: "${pair.slice(0, Math.max(at, 0))}" is not one of ${IDENTITY_KINDS.join(', ')} (kind=value)`,
        EXIT.usage,
      );
    identities[kind] = pair.slice(at + 1);
  }
  const config = loadConfigOrFail();
  const whole = Object.keys(identities).length === 0;
  // Identities are found through blind indexes keyed by the master key.
  const secrets = whole ? null : await loadSecrets(config);
  if (secrets && !secrets.ok)
    throw new CliFailure(`configuration error\n${formatConfigProblems(secrets.problems)}`, EXIT.usage);
  const holds = await withDatabase(config, async (db) => {
    await migrateFor(db, config.database);
    const retention = new Retention(db);
    const refused = (err: unknown): never => {
      if (err instanceof HoldActorRefusedError) throw new CliFailure(err.message, EXIT.denied);
      throw err;
    };
    if (!secrets?.ok) return [await retention.placeHold(tenant, null, reason, actor).catch(refused)];
    const subjects = await new StandingLog(db, secrets.secrets.master).subjects.find(tenant, identities);
    if (subjects.length === 0)
      throw new CliFailure('--identity: no subject of this tenant has these identities', EXIT.usage);
    return Promise.all(subjects.map((s) => retention.placeHold(tenant, s, reason, actor).catch(refused)));
  });
  if (o.json) writeJson(holds);
  else
    for (const h of holds)
      process.stdout.write(
        `placed hold ${h.hold_id} on ${h.subject_id ? `subject ${h.subject_id}` : `the whole tenant ${tenant}`}\n`,
      );
  return EXIT.ok;
}

async function runLift(holdId: string, o: { tenant: string; reason: string; actor?: string }): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const [reason, actor] = [reasonOf(o.reason), actorOf(o.actor)];
  await withLog(loadConfigOrFail(), (log) =>
    new Retention(log.db).liftHold(tenant, holdId, reason, actor).catch((err: unknown) => {
      if (err instanceof UnknownHoldError) throw new CliFailure(err.message, EXIT.usage);
      if (err instanceof HoldActorRefusedError) throw new CliFailure(err.message, EXIT.denied);
      throw err;
    }),
  );
  process.stdout.write(`lifted hold ${holdId}\n`);
  return EXIT.ok;
}

async function runList(o: { tenant: string; all?: boolean; json?: boolean }): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const [rows, chain] = await withLog(loadConfigOrFail(), async (log) => {
    const r = new Retention(log.db);
    const list = o.all
      ? await r.holdLog(tenant)
      : (await r.activeHolds(tenant)).map((h) => ({ ...h, action: 'place' as const }));
    return [list, await r.verifyHolds(tenant)] as const;
  });
  if (o.json) writeJson({ holds: rows, chain });
  else {
    writeTable([
      ['HOLD', 'ACTION', 'SUBJECT', 'AT', 'BY', 'REASON'],
      ...rows.map((h) => [h.hold_id, h.action, h.subject_id ?? '(tenant)', h.at, h.actor, h.reason]),
    ]);
    process.stdout.write(
      chain.ok
        ? `hold chain: ok, ${chain.checked} events verified\n`
        : `hold chain: BROKEN at event ${chain.broken.seq}: ${chain.broken.problem} (expected ` +
            `${chain.broken.expected}, found ${chain.broken.found}); ${chain.checked} events verified before it\n`,
    );
  }
  return chain.ok ? EXIT.ok : EXIT.broken;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerRetentionCommands(program: Command, setExitCode: SetExitCode): void {
  const retention = program
    .command('retention')
    .description('how long each tenant keeps its log, and the retention run');
  retention
    .command('set')
    .description('record a new retention policy for a tenant')
    .requiredOption('--tenant <id>', 'the tenant')
    .addOption(
      new Option('--category <name>', 'financial (7 years), telecom (2 years) or custom (--days)')
        .choices([...RETENTION_CATEGORIES])
        .makeOptionMandatory(),
    )
    .option('--days <n>', 'days kept (required for custom; overrides the category)')
    .option('--json', 'machine-readable output')
    .action(async (o: { tenant: string; category: string; days?: string; actor?: string; json?: boolean }) =>
      setExitCode(await runSet(o)),
    );
  retention
    .command('show')
    .description("a tenant's policy in force and its active holds")
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--json', 'machine-readable output')
    .action(async (o: { tenant: string; json?: boolean }) => setExitCode(await runShow(o)));
  retention
    .command('apply')
    .description(
      'remove expired ranges from the start of each chain now, leaving signed boundaries (needs the checkpoint key)',
    )
    .option('--tenant <id>', 'only this tenant')
    .option('--json', 'machine-readable output')
    .action(async (o: { tenant?: string; json?: boolean }) => setExitCode(await runApply(o)));

  const hold = program.command('hold').description('legal holds: what is held is never removed by retention');
  hold
    .command('place')
    .description('place a hold on the subjects with these identities, or on the whole tenant without --identity')
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--identity <kind=value>', `an identity of the subject (${IDENTITY_KINDS.join(', ')}); repeatable`, collect)
    .requiredOption('--reason <text>', 'why (a case or matter reference)')
    .option('--json', 'machine-readable output')
    .action(async (o: { tenant: string; identity?: string[]; reason: string; actor?: string; json?: boolean }) =>
      setExitCode(await runPlace(o)),
    );
  hold
    .command('lift <hold-id>')
    .description('lift an active hold (the placing stays on record)')
    .requiredOption('--tenant <id>', 'the tenant')
    .requiredOption('--reason <text>', 'why')
    .action(async (holdId: string, o: { tenant: string; reason: string; actor?: string }) =>
      setExitCode(await runLift(holdId, o)),
    );
  hold
    .command('list')
    .description("a tenant's active holds, or with --all every placing and lifting")
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--all', 'the whole record')
    .option('--json', 'machine-readable output')
    .action(async (o: { tenant: string; all?: boolean; json?: boolean }) => setExitCode(await runList(o)));
}
