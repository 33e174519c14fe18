import { ClusterSpecManagedRoles, ClusterSpecManagedRolesEnsure } from '../../../imports/postgresql.cnpg.io';

/** A PostgreSQL role or database name this library accepts: a lower-case identifier that needs no quoting. */
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** PostgreSQL's limit on identifiers (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_LENGTH = 63;
/** Roles that PostgreSQL or CloudNativePG create and manage themselves. */
const RESERVED_ROLES: ReadonlySet<string> = new Set(['postgres', 'streaming_replica', 'cnpg_pooler_pgbouncer', 'public']);

/**
 * The group role that holds the clients' privileges on the application database: `<database>_readwrite`.
 * Clients are members of it; none owns anything.
 */
export function readWriteGroupName(database: string): string {
  return `${database}_readwrite`;
}

/** Why `name` cannot be a role of this cluster, or undefined when it can. */
export function roleNameProblem(name: string): string | undefined {
  if (!SQL_IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER_LENGTH) {
    return 'use a lower-case SQL identifier of at most 63 characters (letters, digits, _)';
  }
  if (name.startsWith('pg_')) {
    return 'PostgreSQL reserves names starting with pg_ for its own roles';
  }
  if (RESERVED_ROLES.has(name)) {
    return 'PostgreSQL or CloudNativePG reserves it (postgres, streaming_replica, cnpg_pooler_pgbouncer, public)';
  }
  return undefined;
}

/**
 * SQL that CloudNativePG runs as superuser in the new application database, right after initdb
 * created it and its owner (`bootstrap.initdb.postInitApplicationSQL`), so that it is in place
 * before any object exists. It creates the group role and gives it data access (never DDL) to
 * everything the owner creates, now and later:
 *
 * - CONNECT on the database, USAGE on schema `public`;
 * - default privileges for objects the owner creates, in any schema: USAGE on schemas, SELECT,
 *   INSERT, UPDATE, DELETE on tables (no TRUNCATE, REFERENCES or TRIGGER), USAGE and SELECT on
 *   sequences (nextval, currval; no setval). Functions keep PostgreSQL's default EXECUTE for PUBLIC.
 *
 * Not touched, on purpose: PUBLIC keeps CONNECT on the database and USAGE on schema `public`
 * (PostgreSQL 15 already takes CREATE on `public` from PUBLIC). CloudNativePG 1.22 grants its
 * PgBouncer auth user `cnpg_pooler_pgbouncer` CONNECT on one database only and calls
 * `public.user_search()` in every database the pooler serves, so revoking either from PUBLIC would
 * break the pooler's password lookup.
 *
 * Schema changes (CREATE, ALTER, DROP) therefore run as the owner, e.g. from a migration Job; a
 * table created by any other role gets no grants.
 */
export function readWriteGrantsSql(database: string, owner: string): string[] {
  const group = quote(readWriteGroupName(database));
  const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${quote(owner)}`;
  return [
    `CREATE ROLE ${group} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
    `GRANT CONNECT ON DATABASE ${quote(database)} TO ${group}`,
    `GRANT USAGE ON SCHEMA public TO ${group}`,
    `${defaults} GRANT USAGE ON SCHEMAS TO ${group}`,
    `${defaults} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${group}`,
    `${defaults} GRANT USAGE, SELECT ON SEQUENCES TO ${group}`,
  ];
}

/**
 * pg_hba lines that keep the group's members (the clients) in the application database: over TLS
 * to it, with a password; to any other database (`postgres`, `template1`), refused. They sit after
 * the operator's own rules (certificate logins of the standbys and the pooler's auth user) and
 * before its closing `host all all all scram-sha-256`.
 */
export function readWriteGroupHbaRules(database: string): string[] {
  const members = `+${readWriteGroupName(database)}`;
  return [`hostssl ${database} ${members} all scram-sha-256`, `hostssl all ${members} all reject`];
}

/** What `clientRole` needs to declare one client's login role. */
export interface ClientRoleOptions {
  /** Role name, also the user name in its Secret. */
  readonly name: string;
  /** The application database, whose read-write group the role joins. */
  readonly database: string;
  /** basic-auth Secret with `username` (the role name) and `password`. */
  readonly passwordSecretName: string;
  /** Most connections the role may hold at once. */
  readonly connectionLimit: number;
}

/**
 * `spec.managed.roles[]` entry of a client: a login role with no attribute beyond LOGIN, member of
 * the read-write group (inheriting its privileges), its password from the Secret. The operator
 * creates it after bootstrap, sets the password again whenever the Secret changes, and reverts
 * any attribute changed by hand.
 * @see https://cloudnative-pg.io/documentation/1.22/declarative_role_management/
 */
export function clientRole(options: ClientRoleOptions): ClusterSpecManagedRoles {
  return {
    name: options.name,
    ensure: ClusterSpecManagedRolesEnsure.PRESENT,
    login: true,
    superuser: false,
    createdb: false,
    createrole: false,
    replication: false,
    bypassrls: false,
    inherit: true,
    connectionLimit: options.connectionLimit,
    inRoles: [readWriteGroupName(options.database)],
    passwordSecret: { name: options.passwordSecretName },
  };
}

/** `"name"`: the identifier quoted, which keeps its case and makes any reserved word safe. */
function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
