/**
 * The manifest the app package carries. Without a target it is zendesk-app/manifest.json as it is
 * (Zendesk serves the app's page from the package). With one (`npm run build:app -- --connector-url
 * https://standing.example.com --tenant acme`, or STANDING_APP_CONNECTOR_URL / STANDING_APP_TENANT)
 * the app uses signed URLs: `"signedUrls": true` makes Zendesk open each location's `url` with a POST
 * carrying `token`, a JWT it signs with the app's private key, which the connector's
 * `/app/v1/{tenant}/zaf` page verifies to learn the acting agent (connector/app-api/agent-session.ts).
 * A location's `url` may be a file in assets/ or an absolute https URL of a server-side app.
 * https://developer.zendesk.com/documentation/apps/app-developer-guide/manifest/
 * https://developer.zendesk.com/documentation/apps/build-an-app/building-a-server-side-app/part-5-secure-the-app/
 */
import { StandingError } from '../connector/lib/errors.ts';
import { TenantId } from '../connector/model/standing-event.ts';

/** Where a packaged app for one account finds its connector. */
export interface AppTarget {
  /** The connector's origin, e.g. `https://standing.example.com` (no path, no trailing slash). */
  connectorUrl: string;
  /** The tenant id on the connector. */
  tenant: string;
}

/** A build option that cannot be used: the message names the option and what it must be. */
export class AppTargetError extends StandingError {
  override name = 'AppTargetError';
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function connectorOrigin(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppTargetError(
      `--connector-url: "${raw}" is not a URL; give the connector's base URL, e.g. https://standing.example.com`,
    );
  }
  // Zendesk only proxies secure requests to allowed domains; plain http only for a connector on this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)))
    throw new AppTargetError(`--connector-url: "${raw}" must use https (http only for localhost)`);
  if (url.username || url.password) throw new AppTargetError('--connector-url: must not carry a user name or password');
  // The served page points its assets at /app/v1/assets/ from the root, so the connector must be at the origin's root.
  if (url.pathname !== '/' || url.search || url.hash)
    throw new AppTargetError(
      `--connector-url: "${raw}" must be the connector's origin with no path, query or fragment ` +
        `(e.g. ${url.origin}); the connector must be served at the root of its host`,
    );
  return url;
}

/** Reads and checks the target from the command line (`--connector-url`, `--tenant`) or the environment. */
export function appTargetFrom(argv: readonly string[], env: NodeJS.ProcessEnv): AppTarget | null {
  const flag = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const a = argv[i]!;
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new AppTargetError(`--${name}: needs a value`);
    return value;
  };
  const known = /^--(connector-url|tenant)(=|$)/;
  const unknown = argv.find((a) => a.startsWith('--') && !known.test(a));
  if (unknown) throw new AppTargetError(`${unknown}: unknown option; the options are --connector-url and --tenant`);
  const connectorUrl = flag('connector-url') ?? (env.STANDING_APP_CONNECTOR_URL || undefined);
  const tenant = flag('tenant') ?? (env.STANDING_APP_TENANT || undefined);
  if (connectorUrl === undefined && tenant === undefined) return null;
  if (connectorUrl === undefined)
    throw new AppTargetError('--connector-url (or STANDING_APP_CONNECTOR_URL): needed with --tenant');
  if (tenant === undefined) throw new AppTargetError('--tenant (or STANDING_APP_TENANT): needed with --connector-url');
  return checkTarget({ connectorUrl, tenant });
}

/** The target with the URL reduced to its origin; throws AppTargetError naming the bad option. */
export function checkTarget(target: AppTarget): AppTarget {
  const url = connectorOrigin(target.connectorUrl.trim());
  const tenant = TenantId.safeParse(target.tenant);
  if (!tenant.success)
    throw new AppTargetError(`--tenant: "${target.tenant}" ${tenant.error.issues[0]?.message ?? 'is not a tenant id'}`);
  return { connectorUrl: url.origin, tenant: tenant.data };
}

type Json = Record<string, unknown>;
interface Parameter extends Json {
  name: string;
}

/**
 * The manifest for `target`: signed URLs on, every location opening the connector's page for the
 * tenant, the connector's host the one allowed domain, and the connector URL and tenant settings
 * preset to it. Without a target, `source` unchanged.
 */
export function appManifest(source: Json, target: AppTarget | null): Json {
  if (!target) return source;
  const { connectorUrl, tenant } = checkTarget(target);
  const page = `${connectorUrl}/app/v1/${tenant}/zaf`;
  const support = ((source.location as Json | undefined)?.support ?? {}) as Record<string, Json>;
  const locations = Object.fromEntries(Object.entries(support).map(([name, loc]) => [name, { ...loc, url: page }]));
  const preset: Record<string, string> = { connector_url: connectorUrl, tenant };
  const parameters = ((source.parameters ?? []) as Parameter[]).map((p) =>
    p.name in preset ? { ...p, default: preset[p.name] } : p,
  );
  return {
    ...source,
    location: { ...(source.location as Json), support: locations },
    parameters,
    domainWhitelist: [new URL(connectorUrl).hostname],
    signedUrls: true,
  };
}
