import { DeliveryKind } from '../delivery/delivery-strategy';
import { checkConfigShape } from './check-config-shape';
import { ConfigError } from './config-error';
import { definingFile } from './config-source';
import { ClusterPeerConfig, EnvironmentConfig, EnvironmentName, ServiceConfig } from './environment-config';
import { ImageReference } from '../platform/image-reference';
import { isFullSize, SPEC_MESSAGE_BROKER, SPEC_MIN_REPLICAS, SPEC_POSTGRES, SPEC_REDIS, SPEC_RESOURCES } from './spec-minimums';
import { validateNodePool } from './validate-node-pool';
import { validatePullRequestPreviews } from './validate-pull-request-previews';
import { validateSecurityConfig } from './validate-security-config';
import { DNS_LABEL, HOSTNAME, HTTPS_ENDPOINT, IMAGE_DIGEST as DIGEST, IMAGE_REPOSITORY as REPOSITORY, IMAGE_TAG as TAG, IPV4_CIDR, VAULT_PATH } from '../platform/input-patterns';
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const MAX_REPLICAS_CEILING = 100;

const SERVICES = ['web', 'api', 'generator'] as const;

/**
 * Checks one environment config and throws a ConfigError on the first wrong value.
 * `registeredAs` is the name the config is listed under, which must agree with its own `name`.
 */
export function validateEnvironmentConfig(config: EnvironmentConfig, registeredAs: string = config.name): EnvironmentConfig {
  const env = registeredAs;
  // The shape first: the checks below read fields that a misspelt or missing block would leave undefined.
  checkConfigShape(config, env);
  const fail = (field: string, value: unknown, problem: string, fix: string): never => {
    throw new ConfigError(env, field, value, problem, `${fix} (in ${definingFile(env, field)})`);
  };

  if (!Object.values(EnvironmentName).includes(config.name)) {
    fail('name', config.name, 'not one of the four environments', `use one of ${Object.values(EnvironmentName).join(', ')}`);
  }
  if (config.name !== registeredAs) {
    fail('name', config.name, `the config is registered as "${registeredAs}"`, `set name to EnvironmentName.${registeredAs.toUpperCase()}`);
  }
  if (!DNS_LABEL.test(config.namespace)) {
    fail('namespace', config.namespace, 'not a valid Kubernetes namespace name (a DNS label of at most 63 characters)', 'use lower-case letters, digits and dashes, starting and ending with a letter or digit');
  }
  validateHostnames(config, fail);
  validateZones(config, fail);
  for (const service of SERVICES) {
    validateService(config, service, config[service], fail);
  }
  if (!DNS_LABEL.test(config.generatorWorkspaceStorageClass)) {
    fail('generatorWorkspaceStorageClass', config.generatorWorkspaceStorageClass, 'not a valid StorageClass name', 'name an existing StorageClass of the cluster');
  }
  if (!Number.isInteger(config.quotaHeadroomPercent) || config.quotaHeadroomPercent < 0 || config.quotaHeadroomPercent > 100) {
    fail('quotaHeadroomPercent', config.quotaHeadroomPercent, 'must be a whole number from 0 to 100', 'set it to the extra room the namespace quota keeps, e.g. 20');
  }
  validatePostgres(config, fail);
  validateRedis(config, fail);
  validateMessageBroker(config, fail);
  // After the services and stores: the largest of their pods must fit on a node.
  validateNodePool(config, fail);
  if (!VAULT_PATH.test(config.vaultPathPrefix)) {
    fail('vaultPathPrefix', config.vaultPathPrefix, 'not a Vault KV path', 'use a path such as generator-platform/production');
  }
  if (!HTTPS_ENDPOINT.test(config.vaultAddress)) {
    fail('vaultAddress', config.vaultAddress, 'not an https:// address', 'give Vault\'s TLS address, e.g. https://vault.example.com:8200');
  }
  validateStoreNamespacePattern(config, fail);
  validatePullRequestPreviews(config, fail);
  if (!IPV4_CIDR.test(config.kubernetesApiCidr)) {
    fail('kubernetesApiCidr', config.kubernetesApiCidr, 'not an IPv4 CIDR', 'give the API server endpoints as a CIDR (kubectl get endpoints kubernetes), e.g. 10.0.0.0/28');
  }
  validatePeer('kedaOperator', config.kedaOperator, fail);
  validatePeer('ingressController', config.ingressController, fail);
  validatePeer('prometheus', config.prometheus, fail);
  validateDelivery(config, fail);
  validateClusterRole(config, fail);
  validateSecurityConfig(config, fail);
  return config;
}

type Fail = (field: string, value: unknown, problem: string, fix: string) => never;

/** An anchored pattern that compiles, so that a store never serves a longer name than meant. */
function validateStoreNamespacePattern(config: EnvironmentConfig, fail: Fail): void {
  const pattern = config.vaultStoreNamespacePattern;
  if (pattern === undefined) {
    return;
  }
  const fix = 'write an anchored regular expression over namespace names, e.g. ^generator-platform-pr-[0-9]+$';
  if (!pattern.startsWith('^') || !pattern.endsWith('$')) {
    fail('vaultStoreNamespacePattern', pattern, 'not anchored with ^ and $, so it also matches longer namespace names', fix);
  }
  try {
    new RegExp(pattern);
  } catch {
    fail('vaultStoreNamespacePattern', pattern, 'not a regular expression', fix);
  }
}

function validateHostnames(config: EnvironmentConfig, fail: Fail): void {
  for (const field of ['webHostname', 'apiHostname'] as const) {
    if (!HOSTNAME.test(config[field])) {
      fail(field, config[field], 'not a fully qualified lower-case DNS name', 'use a name such as app.example.com');
    }
  }
  if (config.webHostname === config.apiHostname) {
    fail('apiHostname', config.apiHostname, 'equals webHostname, so one Ingress rule would shadow the other', 'give the API its own hostname, e.g. api.<domain>');
  }
}

function validateZones(config: EnvironmentConfig, fail: Fail): void {
  if (config.zones.length === 0) {
    fail('zones', config.zones, 'no zone to schedule pods in', 'list the topology.kubernetes.io/zone values of the cluster');
  }
  config.zones.forEach((zone, index) => {
    if (!LABEL_VALUE.test(zone) || zone.length > 63) {
      fail(`zones[${index}]`, zone, 'not a valid label value', 'use the exact topology.kubernetes.io/zone value of the nodes');
    }
  });
  const duplicate = config.zones.find((zone, index) => config.zones.indexOf(zone) !== index);
  if (duplicate !== undefined) {
    fail('zones', config.zones, `"${duplicate}" is listed twice`, 'list each zone once');
  }
  if (isFullSize(config.name) && config.zones.length < 2) {
    fail('zones', config.zones, `${config.name} must survive the loss of a zone, so it needs at least 2 zones`, 'list at least two zones of the cluster');
  }
}

function validateService(config: EnvironmentConfig, service: (typeof SERVICES)[number], value: ServiceConfig, fail: Fail): void {
  const { replicas, resources } = value;
  const fullSize = isFullSize(config.name);
  for (const [field, count] of [['min', replicas.min], ['max', replicas.max]] as const) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_REPLICAS_CEILING) {
      fail(`${service}.replicas.${field}`, count, `must be a whole number from 1 to ${MAX_REPLICAS_CEILING}`, `set ${service}.replicas to a count in that range`);
    }
  }
  if (replicas.max < replicas.min) {
    fail(`${service}.replicas.max`, replicas.max, `is below replicas.min (${replicas.min})`, `set ${service}.replicas to Replicas.autoscaled({ min: ${replicas.min}, max: ${replicas.min * 2} }) or higher`);
  }
  if (fullSize && !replicas.isAutoscaled) {
    fail(`${service}.replicas`, replicas.toString(), `${config.name} must autoscale every service`, `set ${service}.replicas to Replicas.autoscaled({ min: ${Math.max(SPEC_MIN_REPLICAS, replicas.min)}, max: ... })`);
  }
  if (fullSize && replicas.min < SPEC_MIN_REPLICAS) {
    fail(`${service}.replicas.min`, replicas.min, `${config.name} must run at least ${SPEC_MIN_REPLICAS} replicas of every service so that one pod can fail without an outage`, `set ${service}.replicas to Replicas.autoscaled({ min: ${SPEC_MIN_REPLICAS}, max: ${Math.max(replicas.max, SPEC_MIN_REPLICAS)} })`);
  }
  const spec = SPEC_RESOURCES[service];
  for (const key of ['cpuMillis', 'memoryMi', 'storageGi'] as const) {
    const amount = resources[key];
    if (!Number.isInteger(amount) || amount <= 0) {
      fail(`${service}.resources.${key}`, amount, 'must be a positive whole number', `set ${service}.resources.${key} to the per-pod amount`);
    }
    if (fullSize && amount < spec[key]) {
      fail(`${service}.resources.${key}`, amount, `below the specification's ${spec[key]} for ${service} in ${config.name}`, `set ${service}.resources.${key} to at least ${spec[key]}; only development and preview may run smaller (lib/config/spec-minimums.ts)`);
    }
  }
  const startup = value.startupTimeoutSeconds;
  if (startup !== undefined && (!Number.isInteger(startup) || startup < 5 || startup > 600)) {
    fail(`${service}.startupTimeoutSeconds`, startup, 'must be a whole number of seconds from 5 to 600', `set ${service}.startupTimeoutSeconds to how long the image takes to answer /healthz, with room to spare, or leave it out`);
  }
  validateImage(config, service, value.image, fail);
}

/**
 * Web and api may release with any strategy; the generator and the sign-in proxy roll or run a
 * canary of their pods (the generator serves no traffic to switch; the proxy's Service must keep selecting every pod).
 */
const DELIVERY_KINDS: readonly DeliveryKind[] = Object.values(DeliveryKind);
const GENERATOR_DELIVERY_KINDS: readonly DeliveryKind[] = [DeliveryKind.ROLLING_UPDATE, DeliveryKind.CANARY];
const SPEC_SUCCESS_RATE_OBJECTIVE_PERCENT = 99.9;

function validateDelivery(config: EnvironmentConfig, fail: Fail): void {
  if (!/^https?:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?\/?$/.test(config.prometheusUrl)) {
    fail('prometheusUrl', config.prometheusUrl, 'not an http(s) address of the Prometheus HTTP API', 'use the in-cluster Service address, e.g. http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
  }
  const delivery = config.delivery;
  for (const service of ['web', 'api'] as const) {
    const kind = delivery[service];
    if (!DELIVERY_KINDS.includes(kind)) {
      fail(`delivery.${service}`, kind, 'not a delivery strategy', `use one of ${DELIVERY_KINDS.map((k) => `DeliveryKind.${enumKey(k)}`).join(', ')}`);
    }
    if (isFullSize(config.name) && kind === DeliveryKind.ROLLING_UPDATE) {
      const wanted = service === 'web' ? 'BLUE_GREEN' : 'CANARY';
      fail(`delivery.${service}`, kind, `${config.name} releases ${service} only after Prometheus analysis of the new version passed, which a rolling update cannot do`, `set delivery.${service} to DeliveryKind.${wanted}`);
    }
  }
  const generator = delivery.generator;
  if (!GENERATOR_DELIVERY_KINDS.includes(generator)) {
    fail('delivery.generator', generator, 'the generator takes jobs from the queue and serves no traffic a blue-green switch could move', 'use DeliveryKind.ROLLING_UPDATE or DeliveryKind.CANARY');
  }
  if (isFullSize(config.name) && generator !== DeliveryKind.CANARY) {
    fail('delivery.generator', generator, `${config.name} releases the generator only after an analysis of its own metrics passed, which a rolling update cannot do`, 'set delivery.generator to DeliveryKind.CANARY');
  }
  const signInProxy = delivery.signInProxy;
  if (!GENERATOR_DELIVERY_KINDS.includes(signInProxy)) {
    fail('delivery.signInProxy', signInProxy, 'ingress-nginx asks the sign-in proxy through its own Service, which must keep selecting every pod, so a blue-green switch would move every request at once unjudged', 'use DeliveryKind.ROLLING_UPDATE or DeliveryKind.CANARY');
  }
  if (isFullSize(config.name) && signInProxy !== DeliveryKind.CANARY) {
    fail('delivery.signInProxy', signInProxy, `${config.name} releases the sign-in proxy only after an analysis of its canary's answers passed, which a rolling update cannot do`, 'set delivery.signInProxy to DeliveryKind.CANARY');
  }
  const objective = delivery.successRateObjectivePercent;
  if (typeof objective !== 'number' || !(objective > 0 && objective < 100)) {
    fail('delivery.successRateObjectivePercent', objective, 'must be a percentage above 0 and below 100', `set it to the availability objective, ${SPEC_SUCCESS_RATE_OBJECTIVE_PERCENT}`);
  }
  if (isFullSize(config.name) && objective < SPEC_SUCCESS_RATE_OBJECTIVE_PERCENT) {
    fail('delivery.successRateObjectivePercent', objective, `below the ${SPEC_SUCCESS_RATE_OBJECTIVE_PERCENT}% availability objective, so a release could pass while breaking it`, `set delivery.successRateObjectivePercent to at least ${SPEC_SUCCESS_RATE_OBJECTIVE_PERCENT}`);
  }
  for (const field of ['webLatencyP95Ms', 'apiLatencyP95Ms'] as const) {
    const value = delivery[field];
    if (!Number.isInteger(value) || value < 1 || value > 60000) {
      fail(`delivery.${field}`, value, 'must be a whole number of milliseconds from 1 to 60000', `set delivery.${field} to the p95 latency a healthy release stays under, e.g. 500`);
    }
  }
  if (!Number.isInteger(delivery.analysisIntervalSeconds) || delivery.analysisIntervalSeconds < 5 || delivery.analysisIntervalSeconds > 300) {
    fail('delivery.analysisIntervalSeconds', delivery.analysisIntervalSeconds, 'must be a whole number of seconds from 5 to 300', 'set it to a few Prometheus scrape intervals, e.g. 20');
  }
  if (!Number.isInteger(delivery.analysisCount) || delivery.analysisCount < 2 || delivery.analysisCount > 30) {
    fail('delivery.analysisCount', delivery.analysisCount, 'must be a whole number from 2 to 30 (one failed measurement is tolerated, so a gate needs at least two)', 'set delivery.analysisCount to 3');
  }
  if (!Number.isInteger(delivery.generatorMaxSurgePercent) || delivery.generatorMaxSurgePercent < 1 || delivery.generatorMaxSurgePercent > 100) {
    fail('delivery.generatorMaxSurgePercent', delivery.generatorMaxSurgePercent, 'must be a whole percentage from 1 to 100', 'set it to 50: two batches of new workers per release');
  }
}

/** What the environment renders for its cluster, and the rules and dashboards that watch it. */
function validateClusterRole(config: EnvironmentConfig, fail: Fail): void {
  const owns = config.ownsClusterScopedObjects;
  // Previews share the development cluster; every other environment is the one on its cluster.
  if (owns !== (config.name !== EnvironmentName.PREVIEW)) {
    const why = owns ? 'a preview runs on the development cluster, whose environment renders its ClusterIssuer and ClusterSecretStore' : `${config.name} is the only environment on its cluster, so nothing else renders its ClusterIssuer and ClusterSecretStore`;
    fail('ownsClusterScopedObjects', owns, why, `set ownsClusterScopedObjects to ${!owns}`);
  }
  if (config.imageSigner !== undefined && !owns) {
    fail('imageSigner', 'set', 'the signature policy is a cluster-scoped ClusterPolicy, which only an environment that owns its cluster\'s objects renders', 'remove imageSigner');
  }
  const alerting = config.features.alertingAndDashboards;
  if (isFullSize(config.name) && !alerting) {
    fail('features.alertingAndDashboards', alerting, `${config.name} must page on its alerts and SLOs`, 'set features.alertingAndDashboards to true');
  }
  for (const service of ['web', 'api'] as const) {
    if (!alerting && config.delivery[service] !== DeliveryKind.ROLLING_UPDATE) {
      fail('features.alertingAndDashboards', alerting, `delivery.${service} is analysed on the recording rules that only the alerting rules render`, `set features.alertingAndDashboards to true, or delivery.${service} to DeliveryKind.ROLLING_UPDATE`);
    }
  }
}

function enumKey(kind: DeliveryKind): string {
  return Object.entries(DeliveryKind).find(([, value]) => value === kind)?.[0] ?? kind;
}

function validateImage(config: EnvironmentConfig, service: string, image: ImageReference, fail: Fail): void {
  if (!REPOSITORY.test(image.repository)) {
    fail(`${service}.image.repository`, image.repository, 'not a valid image repository (registry/path, lower case, no tag)', 'use a repository such as ghcr.io/acme/generator-platform-web');
  }
  if (!TAG.test(image.tag) || image.tag === 'latest') {
    fail(`${service}.image.tag`, image.tag, 'must be a version tag, never latest', 'use the release version, e.g. 1.4.2');
  }
  if (image.digest !== undefined && !DIGEST.test(image.digest)) {
    fail(`${service}.image.digest`, image.digest, 'not a sha256 digest', 'use the digest the registry reports, sha256:<64 lower-case hex digits>');
  }
  if (isFullSize(config.name) && image.digest === undefined) {
    fail(`${service}.image.digest`, image.digest, `${config.name} pulls images by digest only, so a moved tag cannot change what runs`, `set ${service}.image.digest to the sha256 digest of ${image.repository}:${image.tag}`);
  }
}

function validatePostgres(config: EnvironmentConfig, fail: Fail): void {
  const postgres = config.postgres;
  // How many instances PostgreSQL can run with, and the shape of the backup location and endpoint,
  // are the PostgresCluster's rules (its PropError names the field); only the environments' sizes are checked here.
  if (isFullSize(config.name)) {
    for (const key of ['instances', 'cpuMillis', 'memoryMi', 'storageGi'] as const) {
      if (postgres[key] < SPEC_POSTGRES[key]) {
        fail(`postgres.${key}`, postgres[key], `below the specification's ${SPEC_POSTGRES[key]} for PostgreSQL in ${config.name}`, `set postgres.${key} to at least ${SPEC_POSTGRES[key]}`);
      }
    }
  }
  if (!DNS_LABEL.test(postgres.storageClass)) {
    fail('postgres.storageClass', postgres.storageClass, 'not a valid StorageClass name', 'name an existing StorageClass of the cluster');
  }
}

function validateRedis(config: EnvironmentConfig, fail: Fail): void {
  // How many primaries and replicas a Redis cluster can run with, and the room an AOF rewrite
  // needs, are RedisCluster's rules (its PropError names the field); here only the specification's sizes.
  const redis = config.redis;
  if (isFullSize(config.name)) {
    for (const key of ['primaries', 'replicasPerPrimary', 'cpuMillis', 'memoryMi'] as const) {
      if (redis[key] < SPEC_REDIS[key]) {
        const why = key === 'replicasPerPrimary' ? 'a primary without a replica cannot fail over' : `below the specification's ${SPEC_REDIS[key]} for Redis`;
        fail(`redis.${key}`, redis[key], `${why} in ${config.name}`, `set redis.${key} to at least ${SPEC_REDIS[key]}`);
      }
    }
  }
  if (!DNS_LABEL.test(redis.storageClass)) {
    fail('redis.storageClass', redis.storageClass, 'not a valid StorageClass name', 'name an existing StorageClass of the cluster');
  }
}

function validateMessageBroker(config: EnvironmentConfig, fail: Fail): void {
  // The node counts RabbitMQ can run with are MessageBroker's rule (its PropError names the field).
  const broker = config.messageBroker;
  if (isFullSize(config.name)) {
    for (const key of ['replicas', 'cpuMillis', 'memoryMi'] as const) {
      if (broker[key] < SPEC_MESSAGE_BROKER[key]) {
        fail(`messageBroker.${key}`, broker[key], `below the specification's ${SPEC_MESSAGE_BROKER[key]} for RabbitMQ in ${config.name}`, `set messageBroker.${key} to at least ${SPEC_MESSAGE_BROKER[key]}`);
      }
    }
  }
  if (!DNS_LABEL.test(broker.storageClass)) {
    fail('messageBroker.storageClass', broker.storageClass, 'not a valid StorageClass name', 'name an existing StorageClass of the cluster');
  }
}

function validatePeer(field: string, peer: ClusterPeerConfig, fail: Fail): void {
  if (!DNS_LABEL.test(peer.namespace)) {
    fail(`${field}.namespace`, peer.namespace, 'not a valid namespace name', 'name the namespace the component runs in');
  }
  if (Object.keys(peer.podLabels).length === 0) {
    fail(`${field}.podLabels`, peer.podLabels, 'empty, which would select every pod of that namespace', 'give the labels that select only that component\'s pods');
  }
}
