/**
 * The composition root builds each shared resource once per process: the whole product in one
 * process (role `all`) has one tenant registry (one cache of the tenants), one intake inbox, one
 * intake queue, one warning-settings store and one Redis connection per purpose. The classes are
 * the real ones, each wrapped to count its constructions (behaviour unchanged, real PostgreSQL
 * and Redis).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { intakeEnv, startIntakeService, stopIntakeService, type IntakeEnv } from '../support/intake-harness.ts';

const built = vi.hoisted(() => ({
  tenants: 0,
  inboxes: 0,
  appSettings: 0,
  queues: [] as string[],
  redisSites: [] as string[],
}));

/** The file of ours that ran `new Redis(...)`: the purpose of the connection. */
function constructionSite(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(2);
  const ours = frames.find((f) => /\/(connector|salesforce|queue)\//.test(f) && !f.includes('/node_modules/'));
  return /\/((?:connector|salesforce|queue)\/[^:]+):/.exec(ours ?? '')?.[1] ?? 'elsewhere';
}

vi.mock('../../connector/tenants/tenant-registry.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../connector/tenants/tenant-registry.ts')>();
  class CountedTenantRegistry extends m.TenantRegistry {
    constructor(...args: ConstructorParameters<typeof m.TenantRegistry>) {
      super(...args);
      built.tenants += 1;
    }
  }
  return { ...m, TenantRegistry: CountedTenantRegistry };
});
vi.mock('../../connector/intake/intake-inbox.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../connector/intake/intake-inbox.ts')>();
  class CountedIntakeInbox extends m.IntakeInbox {
    constructor(...args: ConstructorParameters<typeof m.IntakeInbox>) {
      super(...args);
      built.inboxes += 1;
    }
  }
  return { ...m, IntakeInbox: CountedIntakeInbox };
});
vi.mock('../../connector/history/app-settings.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../connector/history/app-settings.ts')>();
  class CountedAppSettingsStore extends m.AppSettingsStore {
    constructor(...args: ConstructorParameters<typeof m.AppSettingsStore>) {
      super(...args);
      built.appSettings += 1;
    }
  }
  return { ...m, AppSettingsStore: CountedAppSettingsStore };
});
vi.mock('bullmq', async (importOriginal) => {
  const m = await importOriginal<typeof import('bullmq')>();
  class CountedQueue extends m.Queue {
    constructor(...args: ConstructorParameters<typeof m.Queue>) {
      super(...args);
      built.queues.push(args[0]);
    }
  }
  return { ...m, Queue: CountedQueue };
});
vi.mock('ioredis', async (importOriginal) => {
  const m = await importOriginal<typeof import('ioredis')>();
  // ioredis' constructor is overloaded; the counter passes whatever it was given.
  const RedisClass = m.Redis as unknown as new (...args: unknown[]) => InstanceType<typeof m.Redis>;
  class CountedRedis extends RedisClass {
    constructor(...args: unknown[]) {
      super(...args);
      built.redisSites.push(constructionSite());
    }
  }
  return { ...m, Redis: CountedRedis, default: CountedRedis };
});

let env: IntakeEnv;
let svc: ServiceHandle;

beforeAll(async () => {
  // Attribution on (the harness turns it off): its queue is built too, on the root's BullMQ connection.
  env = intakeEnv('composition_root', { STANDING_ATTRIBUTION_SWEEP_MS: '60000' });
  svc = await startIntakeService(env);
});

afterAll(async () => {
  await stopIntakeService(env, svc);
});

describe('one process with every role (all)', () => {
  it('builds one tenant registry, one intake inbox and one warning-settings store', () => {
    expect(svc.resources.config.intake.role).toBe('all');
    expect(built.tenants).toBe(1);
    expect(built.inboxes).toBe(1);
    expect(built.appSettings).toBe(1);
  });

  it('builds the intake queue once, and no queue twice', () => {
    expect(built.queues.filter((name) => name === 'standing-intake')).toHaveLength(1);
    expect(built.queues.filter((name) => name === 'standing-attribution')).toHaveLength(1);
    expect(new Set(built.queues).size).toBe(built.queues.length);
  });

  it('opens one Redis connection per purpose: commands, erasure notices, BullMQ, Salesforce leases', () => {
    expect([...built.redisSites].sort()).toEqual([
      'connector/app/intake-resources.ts', // BullMQ: the intake queue, the workers, every scheduler
      'connector/app/salesforce-wiring.ts', // the Salesforce subscriptions' leases (fail fast)
      'connector/app/service.ts', // the service's own commands
      'connector/gdpr/erasure-broadcast.ts', // the erasure notices' subscriber
    ]);
  });
});
