import { describe, expect, it } from 'vitest';
import {
  CONFIG_DEFAULTS,
  CONFIG_REFERENCE,
  describeConfig,
  formatConfigProblems,
  maskUrlPassword,
  parseConfig,
} from '../connector/config/config.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');

function problems(env: Record<string, string>) {
  const r = parseConfig(env, '/srv/app');
  if (r.ok) throw new Error('expected a configuration error');
  return r.problems;
}

describe('parseConfig', () => {
  it('applies the defaults to an empty environment', () => {
    const r = parseConfig({}, '/srv/app');
    expect(r).toEqual({
      ok: true,
      config: {
        port: 8080,
        host: '0.0.0.0',
        database: {
          url: undefined,
          ownerUrl: undefined,
          schema: 'standing',
          embeddedDataDir: '/srv/app/.standing/pgdata',
        },
        dataDir: '/srv/app/.standing',
        redisUrl: 'redis://127.0.0.1:6379',
        masterKey: undefined,
        operatorToken: undefined,
        logLevel: 'info',
        shutdownGraceMs: 10_000,
        nodeEnv: 'development',
        production: false,
        operatorAuditorKeys: 'always',
        checkpoints: {
          key: undefined,
          exportTarget: undefined,
          s3: {
            endpoint: undefined,
            region: 'us-east-1',
            accessKeyId: undefined,
            secretAccessKey: undefined,
            sessionToken: undefined,
          },
        },
        schedules: {
          checkpointEveryMs: 3_600_000,
          retentionEveryMs: 86_400_000,
          siemPushEveryMs: 60_000,
          logglyPushEveryMs: 60_000,
          alertsEveryMs: 10_000,
          insightsEveryMs: 60_000,
          insightsChunkRows: 50_000,
        },
        intake: {
          role: 'all',
          queuePrefix: 'standing',
          defaultTenant: {
            subdomain: undefined,
            apiUrl: undefined,
            webhookSecret: undefined,
            apiEmail: undefined,
            apiToken: undefined,
          },
          webhook: { maxBodyBytes: 262_144, toleranceSeconds: 300 },
          worker: { concurrency: 500, batchSize: 250, lockDurationMs: 30_000, companionWaitMs: 10_000 },
          salesforceSettingsRefreshMs: 30_000,
          inboxRetentionDays: 30,
          sweeper: { everyMs: 60_000, pendingForMs: 120_000, maxEvents: 50_000 },
          reconciliation: { everyMs: 900_000, maxPages: 1000, salesforceMaxQuotaShare: 0.5 },
          attribution: { sweepEveryMs: 60_000, windowSeconds: 60 },
        },
      },
    });
  });

  it('reads the intake settings and names a bad one', () => {
    const r = parseConfig(
      {
        STANDING_ROLE: 'worker',
        ZENDESK_SUBDOMAIN: 'acme',
        ZENDESK_WEBHOOK_SECRET: 's'.repeat(44),
        STANDING_WORKER_BATCH: '50',
      },
      '/srv/app',
    );
    expect(r.ok && r.config.intake).toMatchObject({
      role: 'worker',
      defaultTenant: { subdomain: 'acme', webhookSecret: 's'.repeat(44) },
      worker: { batchSize: 50 },
    });
    const bad = parseConfig({ STANDING_ROLE: 'both', ZENDESK_SUBDOMAIN: 'acme.zendesk.com' }, '/srv/app');
    expect(!bad.ok && bad.problems.map((p) => p.variable).sort()).toEqual(['STANDING_ROLE', 'ZENDESK_SUBDOMAIN']);
  });

  it('reads the owner URL and the checkpoint settings, and wants DATABASE_URL beside the owner URL', () => {
    const r = parseConfig(
      {
        DATABASE_URL: 'postgres://svc@db/x',
        DATABASE_OWNER_URL: 'postgres://own@db/x',
        STANDING_CHECKPOINT_EXPORT: 's3://audit-bucket/standing',
        AWS_ACCESS_KEY_ID: 'AK',
      },
      '/srv/app',
    );
    expect(
      r.ok && [r.config.database.ownerUrl, r.config.checkpoints.exportTarget, r.config.checkpoints.s3.accessKeyId],
    ).toEqual(['postgres://own@db/x', 's3://audit-bucket/standing', 'AK']);
    expect(problems({ DATABASE_OWNER_URL: 'postgres://own@db/x' }).map((p) => p.variable)).toEqual([
      'DATABASE_OWNER_URL',
    ]);
    expect(problems({ STANDING_CHECKPOINT_EXPORT: 's3://' }).map((p) => p.variable)).toEqual([
      'STANDING_CHECKPOINT_EXPORT',
    ]);
  });

  it('treats empty variables as unset', () => {
    const r = parseConfig({ PORT: '', DATABASE_URL: ' ', STANDING_MASTER_KEY: '' }, '/srv/app');
    expect(r.ok && [r.config.port, r.config.database.url, r.config.masterKey]).toEqual([8080, undefined, undefined]);
  });

  it('reads every variable', () => {
    const r = parseConfig(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://u:p@db:5432/standing',
        DATABASE_SCHEMA: 'tenant_a',
        STANDING_DATA_DIR: '/var/lib/standing',
        REDIS_URL: 'rediss://cache:6380',
        STANDING_MASTER_KEY: KEY,
        STANDING_ADMIN_TOKEN: 'x'.repeat(40),
        LOG_LEVEL: 'DEBUG',
        SHUTDOWN_GRACE_MS: '0',
        NODE_ENV: 'production',
      },
      '/srv/app',
    );
    if (!r.ok) throw new Error(formatConfigProblems(r.problems));
    expect(r.config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      database: {
        url: 'postgres://u:p@db:5432/standing',
        schema: 'tenant_a',
        embeddedDataDir: '/var/lib/standing/pgdata',
      },
      dataDir: '/var/lib/standing',
      redisUrl: 'rediss://cache:6380',
      operatorToken: 'x'.repeat(40),
      logLevel: 'debug',
      shutdownGraceMs: 0,
      production: true,
      operatorAuditorKeys: 'first-only',
    });
    expect(r.config.masterKey?.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it.each([
    ['PORT', '65536', 'must be an integer 0-65535'],
    ['PORT', '80a', 'must be an integer 0-65535'],
    ['PORT', '-1', 'must be an integer 0-65535'],
    ['DATABASE_URL', 'mysql://db/x', 'must be a URL like postgres://'],
    ['DATABASE_URL', 'not a url', 'must be a URL like postgres://'],
    ['DATABASE_SCHEMA', 'Standing-1', 'must be a lowercase SQL identifier'],
    ['REDIS_URL', 'http://cache', 'must be a URL like redis://'],
    ['STANDING_MASTER_KEY', Buffer.alloc(16).toString('base64'), 'must be the base64 of 32 bytes'],
    ['STANDING_MASTER_KEY', 'x'.repeat(44), 'must be the base64 of 32 bytes'],
    ['STANDING_ADMIN_TOKEN', 'short', 'must be at least 32 characters'],
    ['STANDING_ADMIN_TOKEN', `${'x'.repeat(20)} ${'y'.repeat(20)}`, 'must be printable ASCII without spaces'],
    ['LOG_LEVEL', 'verbose', 'must be one of fatal, error, warn, info, debug, trace, silent'],
    ['SHUTDOWN_GRACE_MS', '1.5', 'must be an integer 0-600000'],
    [
      'ZENDESK_WEBHOOK_SECRET',
      'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==',
      "is Zendesk's public test signing secret",
    ],
  ])('%s=%s is refused naming the variable', (variable, value, message) => {
    const found = problems({ [variable]: value });
    expect(found).toHaveLength(1);
    expect(found[0]!.variable).toBe(variable);
    expect(found[0]!.message).toContain(message);
  });

  it(
    'lets the operator issue further auditor keys only outside production, unless ' +
      'STANDING_OPERATOR_AUDITOR_KEYS says',
    () => {
      const policy = (env: Record<string, string>) => {
        const r = parseConfig(env, '/srv/app');
        if (!r.ok) throw new Error(formatConfigProblems(r.problems));
        return r.config.operatorAuditorKeys;
      };
      const secrets = { STANDING_MASTER_KEY: KEY, STANDING_ADMIN_TOKEN: 'x'.repeat(40) };
      expect(policy({})).toBe('always');
      expect(policy({ NODE_ENV: 'test' })).toBe('always');
      expect(policy({ ...secrets, NODE_ENV: 'production' })).toBe('first-only');
      expect(policy({ ...secrets, NODE_ENV: 'production', STANDING_OPERATOR_AUDITOR_KEYS: 'always' })).toBe('always');
      expect(policy({ STANDING_OPERATOR_AUDITOR_KEYS: ' First-Only ' })).toBe('first-only');
      expect(problems({ STANDING_OPERATOR_AUDITOR_KEYS: 'never' })).toEqual([
        { variable: 'STANDING_OPERATOR_AUDITOR_KEYS', message: 'must be one of first-only, always' },
      ]);
    },
  );

  it('reports every bad variable at once, one line each', () => {
    const text = formatConfigProblems(problems({ PORT: 'x', LOG_LEVEL: 'loud' }));
    expect(text.split('\n')).toEqual([
      'PORT: must be an integer 0-65535',
      expect.stringMatching(/^LOG_LEVEL: must be one of/),
    ]);
  });
});

describe('CONFIG_REFERENCE', () => {
  it('documents every variable with the defaults in force', () => {
    const names = CONFIG_REFERENCE.map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining([
        ...Object.keys(CONFIG_DEFAULTS),
        'DATABASE_URL',
        'STANDING_MASTER_KEY',
        'STANDING_ADMIN_TOKEN',
      ]),
    );
    const port = CONFIG_REFERENCE.find((e) => e.name === 'PORT');
    expect(port?.default).toBe('8080');
    expect(
      CONFIG_REFERENCE.filter((e) => e.secret)
        .map((e) => e.name)
        .sort(),
    ).toEqual([
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'STANDING_ADMIN_TOKEN',
      'STANDING_API_KEY',
      'STANDING_CHECKPOINT_KEY',
      'STANDING_MASTER_KEY',
      'STANDING_METRICS_TOKEN',
      'STANDING_OPERATOR_TOKEN',
      'ZENDESK_API_TOKEN',
      'ZENDESK_WEBHOOK_SECRET',
    ]);
  });
});

describe('describeConfig', () => {
  it('never shows a secret or a URL password', () => {
    const token = 'super-secret-token-value-0123456789';
    const rows = describeConfig({
      STANDING_ADMIN_TOKEN: token,
      STANDING_MASTER_KEY: KEY,
      DATABASE_URL: 'postgres://app:hunter2@db/x',
      PORT: '9000',
    });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(token);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('hunter2');
    expect(rows.find((r) => r.name === 'DATABASE_URL')?.value).toBe('postgres://app:****@db/x');
    expect(rows.find((r) => r.name === 'PORT')).toMatchObject({ value: '9000', source: 'environment' });
    expect(rows.find((r) => r.name === 'HOST')).toMatchObject({ value: '0.0.0.0', source: 'default' });
  });

  it('leaves URLs without a password alone', () => {
    expect(maskUrlPassword('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('the operator token', () => {
  const token = (c: string) => c.repeat(40);

  it('is read from STANDING_OPERATOR_TOKEN', () => {
    const r = parseConfig({ STANDING_OPERATOR_TOKEN: token('o') }, '/srv/app');
    expect(r.ok && r.config.operatorToken).toBe(token('o'));
  });

  it('is still read from its former name STANDING_ADMIN_TOKEN', () => {
    const r = parseConfig({ STANDING_ADMIN_TOKEN: token('a') }, '/srv/app');
    expect(r.ok && r.config.operatorToken).toBe(token('a'));
  });

  it('takes both names when they agree, and refuses two different tokens', () => {
    const same = parseConfig({ STANDING_OPERATOR_TOKEN: token('o'), STANDING_ADMIN_TOKEN: token('o') }, '/srv/app');
    expect(same.ok && same.config.operatorToken).toBe(token('o'));
    expect(problems({ STANDING_OPERATOR_TOKEN: token('o'), STANDING_ADMIN_TOKEN: token('a') })).toEqual([
      { variable: 'STANDING_ADMIN_TOKEN', message: expect.stringContaining('STANDING_OPERATOR_TOKEN') },
    ]);
  });

  it('is validated under either name', () => {
    expect(problems({ STANDING_OPERATOR_TOKEN: 'short' })).toEqual([
      { variable: 'STANDING_OPERATOR_TOKEN', message: 'must be at least 32 characters' },
    ]);
  });
});
