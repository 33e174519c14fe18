/**
 * Where each prop the environment chart sets from config comes from: `<construct id>.<prop>` ->
 * the EnvironmentConfig field, so that a construct's PropError reads like a ConfigError (synth/).
 * The construct id is the chart's top-level child (`postgres`) or, for what a service builds
 * (its HorizontalPodAutoscaler, its Ingress), the service's name (`api`).
 */
export const CONFIG_FIELD_OF_PROP: Readonly<Record<string, string>> = {
  'namespace.namespaceName': 'namespace',
  'namespace.quotaHeadroomPercent': 'quotaHeadroomPercent',
  ...serviceFields('web', 'webHostname'),
  ...serviceFields('api', 'apiHostname'),
  ...serviceFields('generator'),
  'generator.workspaceStorageClass': 'generatorWorkspaceStorageClass',
  'postgres.instances': 'postgres.instances',
  'postgres.cpuMillis': 'postgres.cpuMillis',
  'postgres.memoryMi': 'postgres.memoryMi',
  'postgres.storageGi': 'postgres.storageGi',
  'postgres.walStorageGi': 'postgres.walStorageGi',
  'postgres.storageClass': 'postgres.storageClass',
  'postgres.zones': 'zones',
  'postgres.backupDestinationPath': 'postgres.backupDestinationPath',
  'postgres.backupEndpointUrl': 'postgres.backupEndpointUrl',
  'postgres.backupEndpointCaBundle': 'postgres.backupEndpointCaBundlePem',
  'postgres.backupServerName': 'postgres.backupServerName',
  'postgres.backupCredentialsVaultPath': 'vaultPathPrefix',
  'postgres.vaultPathPrefix': 'vaultPathPrefix',
  'postgres.kubernetesApiCidrs': 'kubernetesApiCidr',
  'postgres.objectStoreEgressCidrs': 'egress.objectStorageCidrs',
  'postgres.recovery': 'postgres.recoverFromBackup',
  'postgres.image': 'storeImages.postgres',
  'postgres.poolerImage': 'storeImages.pgbouncer',
  'redis.primaries': 'redis.primaries',
  'redis.replicasPerPrimary': 'redis.replicasPerPrimary',
  'redis.cpuMillis': 'redis.cpuMillis',
  'redis.memoryMi': 'redis.memoryMi',
  'redis.storageGi': 'redis.storageGi',
  'redis.storageClass': 'redis.storageClass',
  'redis.zones': 'zones',
  'redis.image': 'storeImages.redis',
  'redis.exporterImage': 'storeImages.redisExporter',
  'rabbitmq.replicas': 'messageBroker.replicas',
  'rabbitmq.cpuMillis': 'messageBroker.cpuMillis',
  'rabbitmq.memoryMi': 'messageBroker.memoryMi',
  'rabbitmq.storageGi': 'messageBroker.storageGi',
  'rabbitmq.storageClass': 'messageBroker.storageClass',
  'rabbitmq.zones': 'zones',
  'rabbitmq.image': 'storeImages.rabbitmq',
  'generation-jobs.vaultPathPrefix': 'vaultPathPrefix',
  'oauth2-proxy.image': 'authentication.proxyImage',
  'oauth2-proxy.issuerUrl': 'authentication.issuerUrl',
  'oauth2-proxy.clientId': 'authentication.clientId',
  'oauth2-proxy.groupsClaim': 'authentication.groupsClaim',
  'oauth2-proxy.allowedGroups': 'authentication.allowedGroups',
  'oauth2-proxy.mfaClaim': 'authentication.mfa.claim',
  'oauth2-proxy.mfaAcceptedValues': 'authentication.mfa.acceptedValues',
  'oauth2-proxy.acrValues': 'authentication.mfa.acrValues',
  'oauth2-proxy.sessionHours': 'authentication.sessionHours',
  'oauth2-proxy.refreshMinutes': 'authentication.refreshMinutes',
  'oauth2-proxy.identityProviderCidrs': 'egress.identityProviderCidrs',
  'oauth2-proxy.replicas': 'authentication.proxyReplicas',
  'oauth2-proxy.zones': 'zones',
};

/** The props web, api and the generator take from `<service>` of the config (and their hostname). */
function serviceFields(service: 'web' | 'api' | 'generator', hostnameField?: string): Record<string, string> {
  const fields: Record<string, string> = { [`${service}.zones`]: 'zones' };
  for (const prop of ['image', 'replicas', 'resources', 'targetCpuUtilizationPercent', 'startupTimeoutSeconds']) {
    fields[`${service}.${prop}`] = `${service}.${prop}`;
  }
  if (hostnameField !== undefined) {
    fields[`${service}.hostname`] = hostnameField;
  }
  return fields;
}
