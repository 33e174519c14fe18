import { Chart } from 'cdk8s';
import { NamespaceBaseline } from '../../../lib/platform/namespace-baseline';
import { PostgresCluster, PostgresClusterProps } from '../../../lib/stores/postgres-cluster';
import { KubeObject, find, objectsOf } from '../../support/kube';
import { prometheus, serviceScope } from '../../support/service-fixtures';

/** The props every PostgresCluster needs; nothing optional. */
export function requiredPostgresProps(namespace: NamespaceBaseline, instances = 3): PostgresClusterProps {
  return {
    namespace,
    instances,
    metricsScraper: prometheus,
    backupDestinationPath: 's3://acme-backups/test/postgres',
    backupEndpointUrl: 'https://s3.eu-west-1.amazonaws.com',
    backupCredentialsVaultPath: 'generator-platform/test/postgres-backup',
    vaultPathPrefix: 'generator-platform/test',
    kubernetesApiCidrs: ['10.0.0.1/32'],
    objectStoreEgressCidrs: ['52.218.0.0/17'],
    tlsIssuer: { issuerName: 'internal-ca', issuerKind: 'Issuer' },
  };
}

/** A chart holding one PostgresCluster named `pg`, and what it rendered. */
export function renderPostgres(overrides: Partial<PostgresClusterProps> = {}): { chart: Chart; postgres: PostgresCluster; objects: KubeObject[] } {
  const { chart, namespace } = serviceScope();
  const postgres = new PostgresCluster(chart, 'pg', { ...requiredPostgresProps(namespace), ...overrides });
  return { chart, postgres, objects: objectsOf(chart) };
}

/** `spec.postgresql.parameters` of the rendered Cluster `pg`. */
export function renderedParameters(overrides: Partial<PostgresClusterProps> = {}): Record<string, string> {
  return find(renderPostgres(overrides).objects, 'Cluster', 'pg').spec.postgresql.parameters;
}
