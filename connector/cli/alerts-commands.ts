/**
 * `standing alerts channels show --tenant t`, `standing alerts channels set --tenant t [...]` and
 * `standing alerts deliveries --tenant t [--limit n] [--before id]`: the tenant's alert channels and
 * delivery log, as GET/PUT /api/v1/tenants/{tenant}/alerts/channels and GET .../alerts/deliveries
 * (docs/alerts.md). The webhook's signing secret is read from a file (never from the command line,
 * where the shell's history and `ps` would keep it) and never printed: only its last four characters.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AlertChannels, InvalidAlertChannelsError } from '../alerts/alert-channels.ts';
import { AlertOutbox } from '../alerts/alert-outbox.ts';
import { ALERT_DELIVERIES_LIMIT } from '../alerts/alert-routes.ts';
import type { SqlClient } from '../store/database.ts';
import { CliFailure, EXIT, tenantIdArgument, withSealingDatabase, type SetExitCode } from './common.ts';

export interface AlertChannelsCommandOptions {
  tenant: string;
  /** The webhook's URL. */
  url?: string;
  /** A file whose first line is the webhook's signing secret. */
  secretFile?: string;
  /** Warning codes the webhook receives, comma-separated; `all`: every code. */
  warnings?: string;
  enable?: boolean;
  disable?: boolean;
  removeWebhook?: boolean;
  noteEnable?: boolean;
  noteDisable?: boolean;
  /** Warning codes the private note receives, comma-separated; `all`: every code. */
  noteWarnings?: string;
  removeNote?: boolean;
  /** Set by the role check: who the change is recorded as. @defaultValue `operator` */
  actor?: string;
}

export interface AlertDeliveriesCommandOptions {
  tenant: string;
  /** @defaultValue 50 */
  limit?: string;
  /** Only rows older than this delivery id (the previous page's `next_before`). */
  before?: string;
}

interface Stores {
  db: SqlClient;
  channels: AlertChannels;
  outbox: AlertOutbox;
}

async function withAlerts<T>(tenant: string, fn: (s: Stores) => Promise<T>): Promise<T> {
  return withSealingDatabase(async (db, master) => {
    const [exists] = await db.query('SELECT 1 FROM tenants WHERE id = $1', [tenant]);
    if (!exists) throw new CliFailure(`--tenant: no tenant "${tenant}" is registered`, EXIT.failed);
    return fn({ db, channels: new AlertChannels(db, master), outbox: new AlertOutbox(db) });
  });
}

export async function runAlertChannelsShow(o: { tenant: string }, out = process.stdout): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const view = await withAlerts(tenant, (s) => s.channels.view(tenant));
  out.write(`${JSON.stringify(view, null, 2)}\n`);
  return EXIT.ok;
}

const codes = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value.trim() === 'all'
      ? []
      : value
          .split(',')
          .map((c) => c.trim())
          .filter((c) => c !== '');

function onOff(on: boolean | undefined, off: boolean | undefined, names: string): { enabled?: boolean } {
  if (on && off) throw new CliFailure(`${names}: choose one`, EXIT.usage);
  return on || off ? { enabled: on === true } : {};
}

function readSecret(file: string | undefined): { secret?: string } {
  if (file === undefined) return {};
  try {
    return { secret: readFileSync(file, 'utf8').split('\n')[0]!.trim() };
  } catch (err) {
    throw new CliFailure(`--secret-file: cannot read it (${(err as NodeJS.ErrnoException).code})`, EXIT.usage);
  }
}

/** The PUT body the options ask for: absent options keep what is set. */
export function channelsInput(o: AlertChannelsCommandOptions): Record<string, unknown> {
  const webhook = {
    ...(o.url !== undefined ? { url: o.url } : {}),
    ...readSecret(o.secretFile),
    ...(o.warnings !== undefined ? { warnings: codes(o.warnings) } : {}),
    ...onOff(o.enable, o.disable, '--enable and --disable'),
  };
  const note = {
    ...(o.noteWarnings !== undefined ? { warnings: codes(o.noteWarnings) } : {}),
    ...onOff(o.noteEnable, o.noteDisable, '--note-enable and --note-disable'),
  };
  if (o.removeWebhook && Object.keys(webhook).length > 0)
    throw new CliFailure('--remove-webhook: give no other webhook option with it', EXIT.usage);
  if (o.removeNote && Object.keys(note).length > 0)
    throw new CliFailure('--remove-note: give no other note option with it', EXIT.usage);
  const input = {
    ...(o.removeWebhook ? { webhook: null } : Object.keys(webhook).length > 0 ? { webhook } : {}),
    ...(o.removeNote ? { zendesk_note: null } : Object.keys(note).length > 0 ? { zendesk_note: note } : {}),
  };
  if (Object.keys(input).length === 0) throw new CliFailure('nothing to change: give at least one option', EXIT.usage);
  return input;
}

export async function runAlertChannelsSet(o: AlertChannelsCommandOptions, out = process.stdout): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const input = channelsInput(o);
  try {
    const saved = await withAlerts(tenant, (s) => s.channels.put(tenant, input, o.actor ?? 'operator'));
    out.write(`${JSON.stringify(saved, null, 2)}\n`);
  } catch (err) {
    if (err instanceof InvalidAlertChannelsError) throw new CliFailure(`alert channels: ${err.message}`, EXIT.usage);
    throw err;
  }
  return EXIT.ok;
}

function positive(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw new CliFailure(`${name}: must be an integer from 1 to ${max}`, EXIT.usage);
  return Number(value);
}

export async function runAlertDeliveries(o: AlertDeliveriesCommandOptions, out = process.stdout): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const limit = positive('--limit', o.limit, ALERT_DELIVERIES_LIMIT.max) ?? ALERT_DELIVERIES_LIMIT.default;
  const before = positive('--before', o.before, Number.MAX_SAFE_INTEGER) ?? null;
  const deliveries = await withAlerts(tenant, (s) => s.outbox.deliveries(tenant, limit, before));
  const page = { deliveries, next_before: deliveries.length === limit ? deliveries.at(-1)!.id : null };
  out.write(`${JSON.stringify(page, null, 2)}\n`);
  return EXIT.ok;
}

export function registerAlertCommands(program: Command, setExitCode: SetExitCode): void {
  const alerts = program.command('alerts').description("the tenant's alert channels and delivery log (docs/alerts.md)");
  const channels = alerts.command('channels').description("the tenant's alert channels");
  channels
    .command('show')
    .description("print the tenant's alert channels (the webhook secret only as its last four characters)")
    .requiredOption('--tenant <id>', 'the tenant')
    .action(async (options: { tenant: string }) => setExitCode(await runAlertChannelsShow(options)));
  channels
    .command('set')
    .description("create, change or remove the tenant's alert channels; absent options keep their value")
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--url <url>', 'the webhook URL (https://; http:// only to localhost)')
    .option('--secret-file <path>', "a file whose first line is the webhook's signing secret (required to create)")
    .option('--warnings <codes>', 'warning codes the webhook receives, comma-separated, or "all"')
    .option('--enable', 'send to the webhook')
    .option('--disable', 'stop sending to the webhook (it stays set up)')
    .option('--remove-webhook', 'remove the webhook and its secret')
    .option('--note-enable', 'add alerts as private notes on the related ticket')
    .option('--note-disable', 'stop adding private notes')
    .option('--note-warnings <codes>', 'warning codes the note receives, comma-separated, or "all"')
    .option('--remove-note', 'remove the private-note channel')
    .action(async (options: AlertChannelsCommandOptions) => setExitCode(await runAlertChannelsSet(options)));
  alerts
    .command('deliveries')
    .description("print the tenant's alert delivery log, newest first (one row per attempt)")
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--limit <n>', `at most this many rows (default ${ALERT_DELIVERIES_LIMIT.default})`)
    .option('--before <id>', "only rows older than this id (the last page's next_before)")
    .action(async (options: AlertDeliveriesCommandOptions) => setExitCode(await runAlertDeliveries(options)));
}
