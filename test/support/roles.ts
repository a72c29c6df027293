/**
 * A schema owned by a non-superuser owner role and a restricted service role granted with
 * `grantServiceRole`, on the machine's PostgreSQL (trust authentication): the production split of
 * DATABASE_OWNER_URL and DATABASE_URL. Roles have unique names and are dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../connector/store/database.ts';
import { grantServiceRole } from '../../connector/store/migrate.ts';
import { migrateAsOwner } from '../../connector/store/open-migrated.ts';
import { TEST_DATABASE_URL, uniqueSchema } from './databases.ts';

export interface RoleSplit {
  schema: string;
  ownerUrl: string;
  serviceUrl: string;
  serviceRole: string;
  /** Connections as the owner, the service role, and the superuser the tests run as. */
  owner: Database;
  service: Database;
  superuser: Database;
  dispose(): Promise<void>;
}

const asRole = (role: string) => {
  const url = new URL(TEST_DATABASE_URL);
  url.username = role;
  url.password = '';
  return url.toString();
};

export async function openRoleSplit(label: string): Promise<RoleSplit> {
  const schema = uniqueSchema(label);
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const [ownerRole, serviceRole] = [`standing_owner_${suffix}`, `standing_svc_${suffix}`];
  const superuser = await openDatabase({ url: TEST_DATABASE_URL, schema: 'public', poolSize: 2 });
  const database = new URL(TEST_DATABASE_URL).pathname.slice(1);
  await superuser.exec(`CREATE ROLE ${ownerRole} LOGIN NOSUPERUSER; CREATE ROLE ${serviceRole} LOGIN NOSUPERUSER;
    GRANT CREATE ON DATABASE "${database}" TO ${ownerRole}`);
  const [ownerUrl, serviceUrl] = [asRole(ownerRole), asRole(serviceRole)];
  await migrateAsOwner({ url: serviceUrl, ownerUrl, schema });
  const owner = await openDatabase({ url: ownerUrl, schema, poolSize: 2 });
  await grantServiceRole(owner, serviceRole);
  const service = await openDatabase({ url: serviceUrl, schema, poolSize: 4 });
  return {
    schema,
    ownerUrl,
    serviceUrl,
    serviceRole,
    owner,
    service,
    superuser,
    dispose: async () => {
      await service.close();
      await owner.close();
      await superuser.exec(
        `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP OWNED BY ${ownerRole}, ${serviceRole}; DROP ROLE
          ${serviceRole}; DROP ROLE ${ownerRole}`,
      );
      await superuser.close();
    },
  };
}
