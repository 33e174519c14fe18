import * as fs from 'node:fs';
import { find } from '../support/kube';
import { writeOperatorPgHba } from './support/cnpg-pg-hba';
import { renderPostgres } from './support/postgres-fixtures';
import { runAsPostgres, startTlsServer, ThrowawayServer } from './support/postgres-server';

/**
 * The Cluster's `postgresql.pg_hba` on a real PostgreSQL 15, inside the pg_hba.conf CloudNativePG
 * 1.22 writes around it (its fixed rules before, `host all all all scram-sha-256` after; `local`
 * is `trust` here instead of the operator's peer map). A TCP login without TLS must be refused and
 * one with TLS accepted; without the rendered rules the same plaintext login succeeds, which
 * proves the rules are what refuses it.
 */
describe('rendered pg_hba rules on a real PostgreSQL 15 server', () => {
  let workDir: string;
  let dataDir: string;
  let server: ThrowawayServer;

  /** Logs in as `app` over TCP with `sslmode` and reports whether the session is encrypted. */
  function login(sslmode: 'disable' | 'require') {
    const conninfo = `host=127.0.0.1 port=${server.port} dbname=postgres user=app password=app-secret sslmode=${sslmode}`;
    return runAsPostgres('psql', ['-X', '-A', '-t', '-d', conninfo, '-c', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()']);
  }

  beforeAll(async () => {
    ({ workDir, dataDir, server } = await startTlsServer());
    const role = runAsPostgres('psql', ['-X', '-h', server.socketDir, '-p', String(server.port), '-U', 'postgres', '-d', 'postgres', '-c', "CREATE ROLE app LOGIN PASSWORD 'app-secret'"]);
    if (role.status !== 0) {
      throw new Error(`CREATE ROLE failed: ${role.output}`);
    }
  }, 120_000);

  afterAll(() => {
    server?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  const renderedRules = (): string[] => find(renderPostgres().objects, 'Cluster', 'pg').spec.postgresql.pg_hba;

  test('with the rendered rules, a plaintext TCP login is refused and a TLS login is accepted', () => {
    writeOperatorPgHba(dataDir, renderedRules());
    const plaintext = login('disable');
    expect(plaintext.status).not.toBe(0);
    expect(plaintext.output).toContain('pg_hba.conf rejects connection for host "127.0.0.1", user "app", database "postgres", no encryption');
    const encrypted = login('require');
    expect({ status: encrypted.status, output: encrypted.output.trim() }).toEqual({ status: 0, output: 't' });
  }, 120_000);

  test('without them, the operator\'s closing rule would let the same plaintext login in (the check above is live)', () => {
    writeOperatorPgHba(dataDir, []);
    const plaintext = login('disable');
    expect({ status: plaintext.status, output: plaintext.output.trim() }).toEqual({ status: 0, output: 'f' });
  }, 120_000);
});
