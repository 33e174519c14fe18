import {
  ClusterSpecBackup,
  ClusterSpecBackupBarmanObjectStoreDataCompression,
  ClusterSpecBackupBarmanObjectStoreWalCompression,
  ClusterSpecBackupTarget,
  ScheduledBackupSpec,
  ScheduledBackupSpecBackupOwnerReference,
  ScheduledBackupSpecMethod,
} from '../../../imports/postgresql.cnpg.io';
import { ACCESS_KEY_ID, ACCESS_SECRET_KEY, ENDPOINT_CA_KEY, ObjectStoreLocation } from './point-in-time-recovery';

/** When base backups run when the caller names no schedule: 03:00 UTC every day (seconds first). */
export const DEFAULT_BACKUP_SCHEDULE = '0 0 3 * * *';
/** Days of base backups and WAL kept when the caller names no retention. */
export const DEFAULT_BACKUP_RETENTION_DAYS = 30;

/** What `objectStoreBackup` needs: where the archive goes and how long it is kept. */
export interface ObjectStoreBackupOptions {
  /** The object store and the Secret that opens it. */
  readonly store: ObjectStoreLocation;
  /** Folder below `store.destinationPath` this cluster archives into. */
  readonly serverName: string;
  /** Days of base backups and WAL kept. */
  readonly retentionDays: number;
}

/**
 * The Cluster's `spec.backup`: continuous WAL archiving and base backups to the object store with
 * Barman, kept for `retentionDays`.
 * @see https://cloudnative-pg.io/documentation/1.22/backup/
 */
export function objectStoreBackup(options: ObjectStoreBackupOptions): ClusterSpecBackup {
  const { store } = options;
  return {
    barmanObjectStore: {
      destinationPath: store.destinationPath,
      endpointUrl: store.endpointUrl,
      endpointCa: store.endpointCaSecretName !== undefined ? { name: store.endpointCaSecretName, key: ENDPOINT_CA_KEY } : undefined,
      serverName: options.serverName,
      s3Credentials: {
        accessKeyId: { name: store.credentialsSecretName, key: ACCESS_KEY_ID },
        secretAccessKey: { name: store.credentialsSecretName, key: ACCESS_SECRET_KEY },
      },
      // Parallel uploads keep archiving ahead of bursts of WAL.
      wal: { compression: ClusterSpecBackupBarmanObjectStoreWalCompression.GZIP, maxParallel: 4 },
      data: { compression: ClusterSpecBackupBarmanObjectStoreDataCompression.GZIP, jobs: 2 },
    },
    retentionPolicy: `${options.retentionDays}d`,
    // Base backups read from a standby, sparing the primary's disk and CPU.
    target: ClusterSpecBackupTarget.PREFER_HYPHEN_STANDBY,
  };
}

/**
 * `spec` of the ScheduledBackup that takes the cluster's base backups on `schedule` (a cron
 * expression with a leading seconds field, in UTC).
 * @see https://cloudnative-pg.io/documentation/1.22/backup/#scheduled-backups
 */
export function scheduledBaseBackupSpec(clusterName: string, schedule: string): ScheduledBackupSpec {
  return {
    cluster: { name: clusterName },
    schedule,
    method: ScheduledBackupSpecMethod.BARMAN_OBJECT_STORE,
    // A new cluster (or a restored one, archiving into a new folder) gets a base backup at once.
    immediate: true,
    backupOwnerReference: ScheduledBackupSpecBackupOwnerReference.SELF,
  };
}
