import { ClusterSpecBootstrap, ClusterSpecExternalClusters } from '../../../imports/postgresql.cnpg.io';

/** Where a cluster's base backups and WAL live, and the Secret that opens it. */
export interface ObjectStoreLocation {
  /** `s3://bucket/path`; each cluster archives into the `<serverName>/` folder below it. */
  readonly destinationPath: string;
  /** HTTPS endpoint of the S3-compatible store. */
  readonly endpointUrl: string;
  /** Secret with the `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY` keys. */
  readonly credentialsSecretName: string;
  /**
   * Secret whose `ENDPOINT_CA_KEY` holds the CA bundle Barman verifies a private endpoint with.
   * @default - none: the public roots of the operand image
   */
  readonly endpointCaSecretName?: string;
}

/** Keys of the object-store credentials Secret (and of the Vault secret behind it). */
export const ACCESS_KEY_ID = 'ACCESS_KEY_ID';
export const ACCESS_SECRET_KEY = 'ACCESS_SECRET_KEY';
/** Key of the object store's CA bundle in its Secret. */
export const ENDPOINT_CA_KEY = 'ca.crt';

/** Name, inside the restored Cluster, of the external cluster that stands for the lost one. */
const ORIGIN = 'origin';

export interface PointInTimeRecoveryOptions {
  /**
   * Folder (Barman `serverName`) below the backup destination that holds the lost cluster's base
   * backups and WAL: the `backupServerName` it ran with.
   * @default - the restored cluster's name (the default `backupServerName` of its predecessor)
   */
  readonly sourceServerName?: string;
  /**
   * Replay WAL up to this instant: RFC 3339 with an explicit offset, e.g. `2026-11-27T14:30:00Z`.
   * @default - replay every archived WAL segment (the latest state the archive holds)
   */
  readonly targetTime?: string;
}

/**
 * How a cluster is created from its object-store backups instead of an empty `initdb`: the newest
 * base backup before the target, then archived WAL replayed up to the target time (or the end).
 * @see https://cloudnative-pg.io/documentation/1.22/recovery/
 */
export class PointInTimeRecovery {
  /** Restores from the base backups and WAL archive that `sourceServerName` wrote. */
  public static fromBackups(options: PointInTimeRecoveryOptions = {}): PointInTimeRecovery {
    const { sourceServerName, targetTime } = options;
    if (sourceServerName !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(sourceServerName)) {
      throw new Error(`PointInTimeRecovery: sourceServerName is ${JSON.stringify(sourceServerName)}; use the backupServerName the lost cluster archived under (a lower-case DNS label)`);
    }
    if (targetTime !== undefined && !isTimestampWithOffset(targetTime)) {
      throw new Error(`PointInTimeRecovery: targetTime is ${JSON.stringify(targetTime)}; use RFC 3339 with an explicit offset, e.g. 2026-11-27T14:30:00Z`);
    }
    return new PointInTimeRecovery(sourceServerName, targetTime);
  }

  private constructor(
    private readonly sourceServerName: string | undefined,
    /** The recovery target, when recovery stops before the end of the archive. */
    public readonly targetTime: string | undefined,
  ) {}

  /** The archive folder restored from, given the restored cluster's name. */
  public sourceFolder(clusterName: string): string {
    return this.sourceServerName ?? clusterName;
  }

  /**
   * `spec.bootstrap` that recovers `database`, owned by `owner`, from the archive; the operator
   * then sets the owner's password from `ownerSecretName` (roles, grants and data come with the
   * backup).
   */
  public bootstrap(database: string, owner: string, ownerSecretName: string): ClusterSpecBootstrap {
    return {
      recovery: {
        source: ORIGIN,
        database,
        owner,
        secret: { name: ownerSecretName },
        recoveryTarget: this.targetTime !== undefined ? { targetTime: this.targetTime } : undefined,
      },
    };
  }

  /** `spec.externalClusters`: the lost cluster, known only by its archive. */
  public externalClusters(clusterName: string, store: ObjectStoreLocation): ClusterSpecExternalClusters[] {
    return [
      {
        name: ORIGIN,
        barmanObjectStore: {
          destinationPath: store.destinationPath,
          endpointUrl: store.endpointUrl,
          endpointCa: store.endpointCaSecretName !== undefined ? { name: store.endpointCaSecretName, key: ENDPOINT_CA_KEY } : undefined,
          serverName: this.sourceFolder(clusterName),
          s3Credentials: {
            accessKeyId: { name: store.credentialsSecretName, key: ACCESS_KEY_ID },
            secretAccessKey: { name: store.credentialsSecretName, key: ACCESS_SECRET_KEY },
          },
        },
      },
    ];
  }
}

function isTimestampWithOffset(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')));
}
