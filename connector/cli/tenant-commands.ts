/**
 * `standing tenant create|update|list|show`: tenants, straight on the database. Provider secrets
 * are never taken from the command line (they would land in shell history and `ps`): they come
 * from files, or from ZENDESK_WEBHOOK_SECRET / ZENDESK_API_TOKEN with `--secrets-from-env`.
 */
import { Option, type Command } from 'commander';
import type { StandingConfig } from '../config/config.ts';
import { toView, type RegistryResult, type Tenant, type TenantView } from '../tenants/tenant-registry.ts';
import {
  CliFailure,
  EXIT,
  readOptionFile,
  tenantIdArgument,
  validationFailure,
  withTenantRegistry,
  writeJson,
  writeTable,
  type SetExitCode,
} from './common.ts';

/** What commander parses from a `tenant create|update` command line. */
interface TenantOptions {
  name?: string;
  zendeskSubdomain?: string;
  zendeskApiUrl?: string;
  clearZendeskApiUrl?: boolean;
  zendeskApiEmail?: string;
  zendeskWebhookSecretFile?: string;
  zendeskApiTokenFile?: string;
  secretsFromEnv?: boolean;
  clearZendeskSubdomain?: boolean;
  clearZendeskApiEmail?: boolean;
  clearZendeskWebhookSecret?: boolean;
  clearZendeskApiToken?: boolean;
  zendeskAppSharedSecretFile?: string;
  clearZendeskAppSharedSecret?: boolean;
  json?: boolean;
}

type ZendeskInput = Partial<
  Record<'subdomain' | 'api_url' | 'api_email' | 'webhook_secret' | 'api_token' | 'app_shared_secret', string | null>
>;

/** Where each field the registry may complain about comes from on the command line. */
const OPTION_OF_FIELD: Readonly<Record<string, string>> = {
  id: '<id>',
  name: '--name',
  'zendesk.subdomain': '--zendesk-subdomain',
  'zendesk.api_url': '--zendesk-api-url',
  'zendesk.api_email': '--zendesk-api-email',
  'zendesk.webhook_secret': '--zendesk-webhook-secret-file or ZENDESK_WEBHOOK_SECRET',
  'zendesk.api_token': '--zendesk-api-token-file or ZENDESK_API_TOKEN',
  'zendesk.app_shared_secret': '--zendesk-app-shared-secret-file',
};

function unwrap<T>(r: RegistryResult<T>): T {
  if (r.ok) return r.value;
  if (r.problems) {
    const named = r.problems.map((p) =>
      OPTION_OF_FIELD[p.path] ? { ...p, path: `${p.path} (${OPTION_OF_FIELD[p.path]})` } : p,
    );
    throw validationFailure('invalid tenant', named);
  }
  throw new CliFailure(r.message, EXIT.usage);
}

/** A secret from its file option, or from the environment with `--secrets-from-env`; never both. */
async function secretInput(
  o: TenantOptions,
  spec: {
    fileOption: string;
    file: string | undefined;
    variable: string;
    fromEnv: string | undefined;
    clear: boolean | undefined;
    clearOption: string;
  },
): Promise<string | null | undefined> {
  const envValue = o.secretsFromEnv ? spec.fromEnv : undefined;
  if (spec.file !== undefined && envValue !== undefined) {
    throw new CliFailure(
      `${spec.fileOption}: ${spec.variable} is set too and --secrets-from-env was given; give the secret one way only`,
      EXIT.usage,
    );
  }
  const value = spec.file !== undefined ? await readOptionFile(spec.fileOption, spec.file) : envValue;
  if (spec.clear && value !== undefined)
    throw new CliFailure(`${spec.clearOption}: cannot clear the secret and set it at once`, EXIT.usage);
  return spec.clear ? null : value;
}

async function zendeskInput(o: TenantOptions, config: StandingConfig): Promise<ZendeskInput> {
  const fromEnv = config.intake.defaultTenant;
  if (o.secretsFromEnv && fromEnv.webhookSecret === undefined && fromEnv.apiToken === undefined) {
    throw new CliFailure('--secrets-from-env: neither ZENDESK_WEBHOOK_SECRET nor ZENDESK_API_TOKEN is set', EXIT.usage);
  }
  const input: ZendeskInput = {
    subdomain: o.clearZendeskSubdomain ? null : o.zendeskSubdomain,
    api_url: o.clearZendeskApiUrl ? null : o.zendeskApiUrl,
    api_email: o.clearZendeskApiEmail ? null : o.zendeskApiEmail,
    webhook_secret: await secretInput(o, {
      fileOption: '--zendesk-webhook-secret-file',
      file: o.zendeskWebhookSecretFile,
      variable: 'ZENDESK_WEBHOOK_SECRET',
      fromEnv: fromEnv.webhookSecret,
      clear: o.clearZendeskWebhookSecret,
      clearOption: '--clear-zendesk-webhook-secret',
    }),
    api_token: await secretInput(o, {
      fileOption: '--zendesk-api-token-file',
      file: o.zendeskApiTokenFile,
      variable: 'ZENDESK_API_TOKEN',
      fromEnv: fromEnv.apiToken,
      clear: o.clearZendeskApiToken,
      clearOption: '--clear-zendesk-api-token',
    }),
    app_shared_secret: await secretInput(o, {
      fileOption: '--zendesk-app-shared-secret-file',
      file: o.zendeskAppSharedSecretFile,
      variable: 'the Zendesk app shared secret',
      fromEnv: undefined,
      clear: o.clearZendeskAppSharedSecret,
      clearOption: '--clear-zendesk-app-shared-secret',
    }),
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

function warnIfDefaultTenant(id: string, zendesk: ZendeskInput): void {
  if (id === 'default' && Object.keys(zendesk).length > 0) {
    process.stderr.write(
      "standing: note: the service resets the default tenant's Zendesk settings from the ZENDESK_* variables " +
        'at every start\n',
    );
  }
}

function writeView(view: TenantView, heading: string, json: boolean | undefined): void {
  if (json) return writeJson(view);
  const z = view.zendesk;
  process.stdout.write(`${heading}\n`);
  writeTable([
    ['  name', view.name],
    ['  zendesk subdomain', z.subdomain ?? '-'],
    ['  zendesk api url', z.api_url ?? '(from the subdomain)'],
    ['  zendesk api email', z.api_email ?? '-'],
    ['  zendesk webhook secret', z.webhook_secret_set ? 'set' : 'not set'],
    ['  zendesk api token', z.api_token_set ? 'set' : 'not set'],
    ['  zendesk app shared secret', z.app_shared_secret_set ? 'set' : 'not set'],
  ]);
}

async function createTenant(idArg: string, o: TenantOptions): Promise<number> {
  const created = await withTenantRegistry(async (tenants, config) => {
    const zendesk = await zendeskInput(o, config);
    warnIfDefaultTenant(idArg, zendesk);
    return unwrap(await tenants.create({ id: idArg, name: o.name, zendesk }));
  });
  writeView(toView(created), `tenant ${created.id} created`, o.json);
  return EXIT.ok;
}

async function updateTenant(idArg: string, o: TenantOptions): Promise<number> {
  const id = tenantIdArgument(idArg);
  const updated = await withTenantRegistry(async (tenants, config) => {
    const zendesk = await zendeskInput(o, config);
    if (o.name === undefined && Object.keys(zendesk).length === 0)
      throw new CliFailure('nothing to change: give --name, a --zendesk-* option or a --clear-* option', EXIT.usage);
    warnIfDefaultTenant(id, zendesk);
    return unwrap(
      await tenants.update(id, {
        ...(o.name === undefined ? {} : { name: o.name }),
        ...(Object.keys(zendesk).length === 0 ? {} : { zendesk }),
      }),
    );
  });
  writeView(toView(updated), `tenant ${updated.id} updated`, o.json);
  return EXIT.ok;
}

async function showTenant(idArg: string, o: { json?: boolean }): Promise<number> {
  const id = tenantIdArgument(idArg);
  const tenant: Tenant | null = await withTenantRegistry((tenants) => tenants.get(id));
  if (!tenant) throw new CliFailure(`no tenant "${id}"`, EXIT.usage);
  writeView(toView(tenant), `tenant ${tenant.id}`, o.json);
  return EXIT.ok;
}

async function listTenants(o: { json?: boolean }): Promise<number> {
  const views = await withTenantRegistry((tenants) => tenants.list());
  if (o.json) writeJson({ tenants: views });
  else if (views.length === 0) process.stdout.write('no tenants yet\n');
  else {
    const setOrNot = (b: boolean) => (b ? 'set' : '-');
    writeTable([
      ['ID', 'NAME', 'ZENDESK_SUBDOMAIN', 'WEBHOOK_SECRET', 'API_TOKEN'],
      ...views.map((v) => [
        v.id,
        v.name,
        v.zendesk.subdomain ?? '-',
        setOrNot(v.zendesk.webhook_secret_set),
        setOrNot(v.zendesk.api_token_set),
      ]),
    ]);
  }
  return EXIT.ok;
}

function settingOptions(command: Command): Command {
  return command
    .option('--zendesk-subdomain <subdomain>', 'Zendesk subdomain only: acme for acme.zendesk.com')
    .option('--zendesk-api-url <url>', 'Zendesk API base when not https://<subdomain>.zendesk.com (a proxy)')
    .option('--zendesk-api-email <email>', 'Zendesk user owning the API token (identity look-ups)')
    .option('--zendesk-webhook-secret-file <path>', "file holding the Zendesk webhook's signing secret")
    .option('--zendesk-api-token-file <path>', 'file holding the Zendesk API token')
    .option(
      '--zendesk-app-shared-secret-file <path>',
      "file holding the Zendesk app's shared_secret setting (at least 32 characters)",
    )
    .option('--secrets-from-env', 'take the secrets from ZENDESK_WEBHOOK_SECRET / ZENDESK_API_TOKEN instead')
    .option('--json', 'print the tenant as JSON');
}

const SECRETS_HELP = `
Secrets are never read from the command line (shell history, ps): put each in a file (mode 0600)
or in ZENDESK_WEBHOOK_SECRET / ZENDESK_API_TOKEN with --secrets-from-env. The running service
sees changes within a few seconds (its tenant cache).`;

export function registerTenantCommands(program: Command, setExitCode: SetExitCode): void {
  const tenant = program
    .command('tenant')
    .description('create, change and list tenants (client companies), on the database directly');

  settingOptions(
    tenant
      .command('create')
      .description('create a tenant')
      .argument('<id>', 'tenant id: 1-63 lowercase letters, digits, _ or -')
      .requiredOption('--name <name>', "the client company's display name"),
  )
    .addHelpText('after', SECRETS_HELP)
    .action(async (id: string, o: TenantOptions) => setExitCode(await createTenant(id, o)));

  settingOptions(
    tenant
      .command('update')
      .description('change some settings of a tenant; others are kept')
      .argument('<id>', 'tenant id')
      .option('--name <name>', "the client company's display name"),
  )
    .addOption(new Option('--clear-zendesk-subdomain', 'remove the Zendesk subdomain').conflicts('zendeskSubdomain'))
    .addOption(new Option('--clear-zendesk-api-url', 'use https://<subdomain>.zendesk.com').conflicts('zendeskApiUrl'))
    .addOption(new Option('--clear-zendesk-api-email', 'remove the Zendesk API email').conflicts('zendeskApiEmail'))
    .addOption(
      new Option(
        '--clear-zendesk-webhook-secret',
        'remove the webhook secret (its webhooks are then refused)',
      ).conflicts('zendeskWebhookSecretFile'),
    )
    .addOption(
      new Option('--clear-zendesk-api-token', 'remove the API token (no more identity look-ups)').conflicts(
        'zendeskApiTokenFile',
      ),
    )
    .addOption(
      new Option(
        '--clear-zendesk-app-shared-secret',
        'remove the app shared secret (the Zendesk app is then refused)',
      ).conflicts('zendeskAppSharedSecretFile'),
    )
    .addHelpText('after', SECRETS_HELP)
    .action(async (id: string, o: TenantOptions) => setExitCode(await updateTenant(id, o)));

  tenant
    .command('list')
    .description('list every tenant (secrets only as set / not set)')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => setExitCode(await listTenants(o)));

  tenant
    .command('show')
    .description('show one tenant (secrets only as set / not set)')
    .argument('<id>', 'tenant id')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { json?: boolean }) => setExitCode(await showTenant(id, o)));
}
