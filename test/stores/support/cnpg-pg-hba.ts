import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAsPostgres } from './postgres-server';

/**
 * Writes pg_hba.conf the way CloudNativePG 1.22 composes it around the Cluster's
 * `postgresql.pg_hba` (its fixed rules before, `host all all all scram-sha-256` after; `local` is
 * `trust` here instead of the operator's peer map) and reloads the server.
 */
export function writeOperatorPgHba(dataDir: string, rules: readonly string[]): void {
  const lines = [
    'local all all trust',
    'hostssl postgres streaming_replica all cert',
    'hostssl replication streaming_replica all cert',
    'hostssl all cnpg_pooler_pgbouncer all cert',
    ...rules,
    'host all all all scram-sha-256',
  ];
  const file = path.join(dataDir, 'pg_hba.conf');
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  const owner = fs.statSync(dataDir);
  fs.chownSync(file, owner.uid, owner.gid);
  const reload = runAsPostgres('pg_ctl', ['reload', '-D', dataDir]);
  if (reload.status !== 0) {
    throw new Error(`reload failed: ${reload.output}`);
  }
}
