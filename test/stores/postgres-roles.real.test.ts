import * as fs from 'node:fs';
import { Replicas } from '../../lib/platform/replicas';
import { LongRunningService } from '../../lib/services/long-running-service';
import { PostgresCluster } from '../../lib/stores/postgres-cluster';
import { find, objectsOf } from '../support/kube';
import { IMAGE, prometheus, serviceScope, smallResources } from '../support/service-fixtures';
import { writeOperatorPgHba } from './support/cnpg-pg-hba';
import { requiredPostgresProps } from './support/postgres-fixtures';
import { CommandResult, runAsPostgres, startTlsServer, ThrowawayServer } from './support/postgres-server';

/** The rendered Cluster `pg` with api and generator connected: what the operator is given. */
function renderedClusterSpec(): any {
  const { chart, namespace } = serviceScope();
  const postgres = new PostgresCluster(chart, 'pg', requiredPostgresProps(namespace));
  for (const name of ['api', 'generator']) {
    postgres.connect(new LongRunningService(chart, name, {
      namespace, component: 'backend', image: IMAGE, replicas: Replicas.fixed(1), resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080,
    }));
  }
  return find(objectsOf(chart), 'Cluster', 'pg').spec;
}

/**
 * `CREATE ROLE` for a `spec.managed.roles` entry, built the way CloudNativePG 1.22's role manager
 * builds it: every attribute spelled out, the connection limit, the memberships, the password.
 */
function createRoleStatement(role: any, password: string): string {
  const attribute = (enabled: boolean, name: string) => (enabled ? name : `NO${name}`);
  return [
    `CREATE ROLE "${role.name}"`,
    attribute(role.bypassrls, 'BYPASSRLS'),
    attribute(role.createdb, 'CREATEDB'),
    attribute(role.createrole, 'CREATEROLE'),
    attribute(role.inherit, 'INHERIT'),
    attribute(role.login, 'LOGIN'),
    attribute(role.replication, 'REPLICATION'),
    attribute(role.superuser, 'SUPERUSER'),
    `CONNECTION LIMIT ${role.connectionLimit}`,
    `IN ROLE ${role.inRoles.map((group: string) => `"${group}"`).join(', ')}`,
    `PASSWORD '${password}'`,
  ].join(' ');
}

/**
 * The grants, roles and pg_hba rules the construct renders, applied to a real PostgreSQL 15 in
 * the order CloudNativePG 1.22 applies them: initdb creates the owner and the database and runs
 * `postInitApplicationSQL` in it as superuser; the operator sets up its PgBouncer auth user; the
 * instance manager creates the managed roles. Clients then log in over TLS with their password,
 * as PgBouncer does on their behalf.
 */
describe('database roles and grants on a real PostgreSQL 15 server', () => {
  const spec = renderedClusterSpec();
  const { database, owner } = spec.bootstrap.initdb;
  const passwords: Record<string, string> = { [owner]: 'owner-secret', api: 'api-secret', generator: 'generator-secret' };
  let workDir: string;
  let dataDir: string;
  let server: ThrowawayServer;

  /** Runs `sql` as the superuser (over the socket, as the operator does) in `dbname`. */
  function asSuperuser(dbname: string, ...sql: string[]): string {
    const result = runAsPostgres('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', server.socketDir, '-p', String(server.port), '-U', 'postgres', '-d', dbname, ...sql.flatMap((statement) => ['-c', statement])]);
    if (result.status !== 0) {
      throw new Error(`psql as postgres failed: ${result.output}`);
    }
    return result.output.trim();
  }

  /** Logs in as `user` with its password over TCP with TLS, as PgBouncer does for a client, and runs `sql` in one session. */
  function asUser(user: string, sql: string, dbname: string = database): CommandResult {
    const conninfo = `host=127.0.0.1 port=${server.port} dbname=${dbname} user=${user} password=${passwords[user]} sslmode=require`;
    const result = runAsPostgres('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, '-c', sql]);
    return { status: result.status, output: result.output.trim() };
  }

  function succeeds(user: string, sql: string): string {
    const result = asUser(user, sql);
    if (result.status !== 0) {
      throw new Error(`${user} could not run ${sql}: ${result.output}`);
    }
    return result.output;
  }

  beforeAll(async () => {
    ({ workDir, dataDir, server } = await startTlsServer());
    writeOperatorPgHba(dataDir, spec.postgresql.pg_hba);

    // initdb bootstrap: the owner (password from its Secret), the database, then postInitApplicationSQL in it.
    asSuperuser('postgres', `CREATE ROLE "${owner}" LOGIN PASSWORD '${passwords[owner]}'`, `CREATE DATABASE "${database}" OWNER "${owner}"`);
    asSuperuser(database, ...spec.bootstrap.initdb.postInitApplicationSQL);
    // The operator's pooler integration (1.22): its auth user, CONNECT on the first database it
    // visits only, and the SECURITY DEFINER lookup in each database.
    asSuperuser('postgres', 'CREATE ROLE cnpg_pooler_pgbouncer WITH LOGIN', 'GRANT CONNECT ON DATABASE postgres TO cnpg_pooler_pgbouncer');
    asSuperuser(database,
      "CREATE FUNCTION user_search(uname TEXT) RETURNS TABLE (usename name, passwd text) AS 'SELECT usename, passwd FROM pg_shadow WHERE usename=$1;' LANGUAGE sql SECURITY DEFINER",
      'REVOKE ALL ON FUNCTION user_search(text) FROM public',
      'GRANT EXECUTE ON FUNCTION user_search(text) TO cnpg_pooler_pgbouncer');
    // The managed roles, after bootstrap.
    asSuperuser('postgres', ...spec.managed.roles.map((role: any) => createRoleStatement(role, passwords[role.name])));
    // The schema, as a migration run by the owner creates it after all of the above.
    succeeds(owner, 'CREATE TABLE jobs (id bigserial PRIMARY KEY, status text NOT NULL)');
    succeeds(owner, 'CREATE SCHEMA billing');
    succeeds(owner, 'CREATE TABLE billing.invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total numeric NOT NULL)');
  }, 120_000);

  afterAll(() => {
    server?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  test('the rendered roles are what is tested here: api and generator, members of the read-write group, neither the owner', () => {
    expect(spec.managed.roles.map((role: any) => [role.name, role.inRoles])).toEqual([['api', [`${database}_readwrite`]], ['generator', [`${database}_readwrite`]]]);
    expect(asSuperuser('postgres', "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE NOT rolsuper AND pg_has_role(rolname, 'app', 'MEMBER')")).toBe('app');
  });

  test.each(['api', 'generator'])('%s reads and writes the tables the owner created after the grants, in public and in a new schema', (client) => {
    expect(succeeds(client, "INSERT INTO jobs (status) VALUES ('queued') RETURNING status")).toMatch(/^queued/);
    expect(succeeds(client, "UPDATE jobs SET status = 'done' WHERE status = 'queued' RETURNING status")).toMatch(/^done/);
    expect(Number(succeeds(client, "SELECT count(*) FROM jobs WHERE status = 'done'"))).toBeGreaterThan(0);
    expect(succeeds(client, "DELETE FROM jobs WHERE status = 'done' RETURNING status")).toMatch(/^done/);
    expect(succeeds(client, 'INSERT INTO billing.invoices (total) VALUES (42) RETURNING total')).toMatch(/^42/);
    expect(succeeds(client, 'SELECT sum(total) > 0 FROM billing.invoices')).toBe('t');
  });

  test.each([
    ['create a table', 'CREATE TABLE scratch (id int)', 'permission denied for schema public'],
    ['create a schema', 'CREATE SCHEMA mine', `permission denied for database ${database}`],
    ['drop the owner\'s table', 'DROP TABLE jobs', 'must be owner of table jobs'],
    ['alter the owner\'s table', 'ALTER TABLE jobs ADD COLUMN note text', 'must be owner of table jobs'],
    ['truncate the owner\'s table', 'TRUNCATE jobs', 'permission denied for table jobs'],
    ['reset a sequence', "SELECT setval('jobs_id_seq', 1)", 'permission denied for sequence jobs_id_seq'],
    ['create a role', 'CREATE ROLE intruder LOGIN', 'permission denied to create role'],
    ['create a database', 'CREATE DATABASE other', 'permission denied to create database'],
    ['become the owner', 'SET ROLE app', 'permission denied to set role "app"'],
    ['read password hashes', 'SELECT * FROM user_search(\'app\')', 'permission denied for function user_search'],
  ])('api cannot %s', (_label, sql, error) => {
    const result = asUser('api', sql);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(error);
  });

  test('the client roles have no attribute beyond LOGIN and hold the rendered connection limit', () => {
    expect(asSuperuser('postgres', "SELECT string_agg(format('%s:%s%s%s%s%s%s:%s', rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolconnlimit), ' ' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('api', 'generator')"))
      .toBe(`api:tfffff:${spec.managed.roles[0].connectionLimit} generator:tfffff:${spec.managed.roles[1].connectionLimit}`);
  });

  test.each(['postgres', 'template1'])('a client cannot connect to the %s database; the owner, outside the group, still can (the rendered rule is what refuses)', (other) => {
    const client = asUser('api', 'SELECT 1', other);
    expect(client.status).not.toBe(0);
    expect(client.output).toContain(`pg_hba.conf rejects connection for host "127.0.0.1", user "api", database "${other}", SSL encryption`);
    expect(asUser(owner, 'SELECT 1', other)).toEqual({ status: 0, output: '1' });
  });

  test('the pooler\'s auth user still looks up a client\'s SCRAM verifier in the application database', () => {
    const lookup = runAsPostgres('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', server.socketDir, '-p', String(server.port), '-U', 'cnpg_pooler_pgbouncer', '-d', database,
      '-c', "SELECT usename || ' ' || left(passwd, 14) FROM user_search('api')"]);
    expect({ status: lookup.status, output: lookup.output.trim() }).toEqual({ status: 0, output: 'api SCRAM-SHA-256$' });
  });
});
