import { VAULT_PATH } from '../../platform/input-patterns';
import { PropError } from '../../platform/prop-error';
import { hostOf, isPrivateUseHost } from '../../security/endpoint-trust';
import { readWriteGroupName, roleNameProblem } from './application-roles';
import { OPERATOR_MANAGED_PARAMETERS } from './postgres-parameters';
import { POSTGRES_IMAGE, PostgresClusterProps } from './postgres-cluster-props';
import { isIpv4Cidr } from './tcp-flow-policy';

/** Room archiving must leave for the upload: archive_timeout plus this stays under the 5-minute RPO. */
const MAX_ARCHIVE_TIMEOUT_SECONDS = 240;
/** Where base backups and WAL go: `s3://<bucket>` and an optional folder below it. */
const S3_DESTINATION_PATH = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[-a-zA-Z0-9._/]*)?$/;

/**
 * Rejects the first prop of a PostgresCluster (construct id `id`) that it cannot run with. The one
 * place for these rules: the environment config relies on them rather than repeating them.
 */
export function validatePostgresClusterProps(id: string, props: PostgresClusterProps): void {
  const fail = (field: string, value: unknown, fix: string): never => {
    throw new PropError(id, field, value, fix, `PostgresCluster ${id}`);
  };
  const wholeNumber = (field: string, value: number | undefined, min: number, max: number, unit: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      fail(field, value, `use a whole number of ${unit} from ${min} to ${max}`);
    }
  };
  if (!/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/.test(id)) {
    fail('the construct id (used as the cluster name)', id, 'use a lower-case DNS label of at most 40 characters');
  }
  if (!Number.isInteger(props.instances) || props.instances < 1 || props.instances === 2 || props.instances > 9) {
    fail('instances', props.instances, 'use 1 (no high availability) or 3 to 9: with 2, a failover leaves no standby to replicate synchronously to');
  }
  const image = props.image ?? POSTGRES_IMAGE;
  if (!/^15(\.\d+)?$/.test(image.tag)) {
    fail('image.tag', image.tag, 'use a PostgreSQL 15 tag such as 15.4: the parameters are for 15, and a major upgrade is a separate procedure');
  }
  if (image.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(image.digest)) {
    fail('image.digest', image.digest, 'use sha256:<64 hex digits>');
  }
  if (props.poolerImage?.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(props.poolerImage.digest)) {
    fail('poolerImage.digest', props.poolerImage.digest, 'use sha256:<64 hex digits>');
  }
  wholeNumber('cpuMillis', props.cpuMillis, 500, 64000, 'millicores');
  wholeNumber('memoryMi', props.memoryMi, 1024, 262144, 'MiB');
  wholeNumber('storageGi', props.storageGi, 1, 65536, 'GiB');
  wholeNumber('walStorageGi', props.walStorageGi, 2, 4096, 'GiB');
  wholeNumber('archiveTimeoutSeconds', props.archiveTimeoutSeconds, 10, MAX_ARCHIVE_TIMEOUT_SECONDS, 'seconds (the upload must fit in the rest of the 5-minute RPO)');
  wholeNumber('backupRetentionDays', props.backupRetentionDays, 1, 3650, 'days');
  wholeNumber('poolerCpuMillis', props.poolerCpuMillis, 100, 16000, 'millicores');
  wholeNumber('poolerMemoryMi', props.poolerMemoryMi, 64, 16384, 'MiB');
  wholeNumber('poolerMaxClientConnections', props.poolerMaxClientConnections, 10, 100000, 'connections');
  wholeNumber('poolerDefaultPoolSize', props.poolerDefaultPoolSize, 1, 500, 'connections');
  wholeNumber('poolerReplicas', props.poolerReplicas, 1, 20, 'pods');
  if (props.instances >= 3 && props.poolerReplicas !== undefined && props.poolerReplicas < 2) {
    fail('poolerReplicas', props.poolerReplicas, 'use at least 2 for a highly available cluster, or the pooler is its single point of failure');
  }
  validateBackupProps(id, props, fail);
  for (const [field, cidrs] of [['kubernetesApiCidrs', props.kubernetesApiCidrs], ['objectStoreEgressCidrs', props.objectStoreEgressCidrs]] as const) {
    if (cidrs.length === 0 || !cidrs.every(isIpv4Cidr)) {
      fail(field, cidrs, 'list one or more IPv4 CIDRs such as 10.0.0.1/32');
    }
    if (cidrs.some((cidr) => cidr.endsWith('/0'))) {
      fail(field, cidrs, 'list the destination\'s own ranges (e.g. the provider\'s published ones), never a /0 that opens the whole internet and the cluster\'s networks');
    }
  }
  if (props.kubernetesApiPorts !== undefined && (props.kubernetesApiPorts.length === 0 || !props.kubernetesApiPorts.every((port) => Number.isInteger(port) && port >= 1 && port <= 65535))) {
    fail('kubernetesApiPorts', props.kubernetesApiPorts, 'list one or more ports from 1 to 65535');
  }
  validateDatabaseProps(props, fail);
  if (!VAULT_PATH.test(props.vaultPathPrefix)) {
    fail('vaultPathPrefix', props.vaultPathPrefix, 'use a KV path such as generator-platform/production');
  }
  for (const name of Object.keys(props.extraParameters ?? {})) {
    if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name)) {
      fail('the name of an extraParameters entry', name, 'use a PostgreSQL parameter name such as statement_timeout');
    }
    if (OPERATOR_MANAGED_PARAMETERS.has(name)) {
      fail('an extraParameters entry', name, 'leave it out: CloudNativePG manages it (see its fixed parameters); use the matching Cluster setting instead');
    }
  }
}

type Fail = (field: string, value: unknown, fix: string) => never;

function validateBackupProps(id: string, props: PostgresClusterProps, fail: Fail): void {
  if (!S3_DESTINATION_PATH.test(props.backupDestinationPath)) {
    fail('backupDestinationPath', props.backupDestinationPath, 'use s3://<bucket>/<path>, e.g. s3://acme-backups/production/postgres');
  }
  if (!/^https:\/\/[^\s/:]+(:\d{1,5})?(\/\S*)?$/.test(props.backupEndpointUrl)) {
    fail('backupEndpointUrl', props.backupEndpointUrl, 'use the HTTPS endpoint of the object store, e.g. https://s3.eu-west-1.amazonaws.com (credentials never travel in clear)');
  }
  const endpointHost = hostOf(props.backupEndpointUrl);
  if (props.backupEndpointCaBundle === undefined && endpointHost !== undefined && isPrivateUseHost(endpointHost)) {
    fail('backupEndpointCaBundle', undefined, `give the CA that signs the certificate of ${endpointHost}: a private endpoint has no certificate from a public CA, so every WAL upload would fail verification`);
  }
  if (props.backupServerName !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.backupServerName)) {
    fail('backupServerName', props.backupServerName, 'use a lower-case DNS label, e.g. the cluster name with a restore suffix');
  }
  if (props.recovery && props.recovery.sourceFolder(id) === (props.backupServerName ?? id)) {
    fail('backupServerName', props.backupServerName ?? id, `restoring from that folder, archive into a new one (e.g. ${id}-r1): CloudNativePG will not archive over existing WAL`);
  }
  if (props.backupSchedule !== undefined && props.backupSchedule.trim().split(/\s+/).length !== 6) {
    fail('backupSchedule', props.backupSchedule, 'use six cron fields, seconds first, e.g. "0 0 3 * * *"');
  }
}

function validateDatabaseProps(props: PostgresClusterProps, fail: Fail): void {
  for (const [field, value] of [['databaseName', props.databaseName], ['databaseOwner', props.databaseOwner]] as const) {
    if (value !== undefined && (roleNameProblem(value) !== undefined || ['template0', 'template1'].includes(value))) {
      fail(field, value, 'use a lower-case SQL identifier that PostgreSQL and the operator do not reserve, e.g. app');
    }
  }
  const group = readWriteGroupName(props.databaseName ?? 'app');
  if (roleNameProblem(group) !== undefined) {
    fail('databaseName', props.databaseName, `use at most ${63 - '_readwrite'.length} characters: the clients' group role ${group} must fit PostgreSQL's 63-character names`);
  }
  if (props.databaseOwner === group) {
    fail('databaseOwner', props.databaseOwner, 'use another name: it is the clients\' read-write group, and the owner must stay outside it');
  }
}
