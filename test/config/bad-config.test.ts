import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../lib/config/config-error';
import { EnvironmentConfig, EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { Replicas } from '../../lib/platform/replicas';
import { DeliveryKind } from '../../lib/delivery/delivery-strategy';
import { synthesize } from '../../synth/synthesize';
import { configWith } from '../support/configs';
import { readTree, tempDirsRemovedAfterAll } from '../support/files';

const makeTempDir = tempDirsRemovedAfterAll();

/** A dist/ from an earlier synth, which a failed synth must leave byte for byte as it was. */
function previousDist(): { dir: string; snapshot: () => Map<string, string> } {
  const root = makeTempDir('bad-config-');
  const out = path.join(root, 'dist');
  fs.mkdirSync(path.join(out, 'production'), { recursive: true });
  fs.writeFileSync(path.join(out, 'production', 'web.yaml'), 'previous: content\n');
  fs.writeFileSync(path.join(out, 'README.txt'), 'kept\n');
  // The whole temp folder: a failed synth leaves no staging folder beside dist/ either.
  return { dir: out, snapshot: () => readTree(root) };
}

const FULL_DIGEST = 'sha256:' + 'a'.repeat(64);

const cases: Array<[string, `${EnvironmentName}`, (c: any) => void, string]> = [
  ['production API below two replicas', 'production', (c) => (c.api.replicas = Replicas.autoscaled({ min: 1, max: 4 })),
    'environment "production": api.replicas.min = 1: production must run at least 2 replicas of every service so that one pod can fail without an outage. Fix: set api.replicas to Replicas.autoscaled({ min: 2, max: 4 }) (in lib/config/environments/production.ts)'],
  ['staging web with a fixed replica count', 'staging', (c) => (c.web.replicas = Replicas.fixed(3)),
    'environment "staging": web.replicas = "Replicas.fixed(3)": staging must autoscale every service. Fix: set web.replicas to Replicas.autoscaled({ min: 3, max: ... }) (in lib/config/environments/staging.ts)'],
  ['replica maximum below the minimum', 'development', (c) => (c.web.replicas = Replicas.autoscaled({ min: 3, max: 2 })),
    'environment "development": web.replicas.max = 2: is below replicas.min (3). Fix: set web.replicas to Replicas.autoscaled({ min: 3, max: 6 }) or higher (in lib/config/environments/reduced-footprint-services.ts)'],
  ['zero replicas', 'development', (c) => (c.api.replicas = Replicas.fixed(0)),
    'environment "development": api.replicas.min = 0: must be a whole number from 1 to 100. Fix: set api.replicas to a count in that range (in lib/config/environments/reduced-footprint-services.ts)'],
  ['a fractional replica count', 'preview', (c) => (c.generator.replicas = Replicas.fixed(1.5)),
    'environment "preview": generator.replicas.min = 1.5: must be a whole number from 1 to 100. Fix: set generator.replicas to a count in that range (in lib/config/environments/reduced-footprint-services.ts)'],
  ['generator CPU below the specification in production', 'production', (c) => (c.generator.resources = { ...c.generator.resources, cpuMillis: 2000 }),
    'environment "production": generator.resources.cpuMillis = 2000: below the specification\'s 4000 for generator in production. Fix: set generator.resources.cpuMillis to at least 4000; only development and preview may run smaller (lib/config/spec-minimums.ts) (in lib/config/spec-minimums.ts)'],
  ['web memory below the specification in staging', 'staging', (c) => (c.web.resources = { ...c.web.resources, memoryMi: 2048 }),
    'environment "staging": web.resources.memoryMi = 2048: below the specification\'s 4096 for web in staging. Fix: set web.resources.memoryMi to at least 4096; only development and preview may run smaller (lib/config/spec-minimums.ts) (in lib/config/spec-minimums.ts)'],
  ['api storage below the specification in production', 'production', (c) => (c.api.resources = { ...c.api.resources, storageGi: 10 }),
    'environment "production": api.resources.storageGi = 10: below the specification\'s 20 for api in production. Fix: set api.resources.storageGi to at least 20; only development and preview may run smaller (lib/config/spec-minimums.ts) (in lib/config/spec-minimums.ts)'],
  ['a negative resource amount', 'development', (c) => (c.web.resources = { ...c.web.resources, cpuMillis: -500 }),
    'environment "development": web.resources.cpuMillis = -500: below the minimum of 1. Fix: set web.resources.cpuMillis to a positive amount (in lib/config/environments/reduced-footprint-services.ts)'],
  ['production image without a digest', 'production', (c) => (c.web.image = { repository: c.web.image.repository, tag: '1.4.2' }),
    'environment "production": web.image.digest = (not set): production pulls images by digest only, so a moved tag cannot change what runs. Fix: set web.image.digest to the sha256 digest of ghcr.io/acme/generator-platform-web:1.4.2 (in lib/config/images/production.yaml)'],
  ['a malformed digest', 'staging', (c) => (c.api.image = { ...c.api.image, digest: 'sha256:1234' }),
    'environment "staging": api.image.digest = "sha256:1234": not a sha256 digest. Fix: use the digest the registry reports, sha256:<64 lower-case hex digits> (in lib/config/images/staging.yaml)'],
  ['the latest tag', 'development', (c) => (c.generator.image = { ...c.generator.image, tag: 'latest' }),
    'environment "development": generator.image.tag = "latest": must be a version tag, never latest. Fix: use the release version, e.g. 1.4.2 (in lib/config/images/development.yaml)'],
  ['an image repository with a tag in it', 'production', (c) => (c.api.image = { repository: 'ghcr.io/acme/api:1.0', tag: '1.0', digest: FULL_DIGEST }),
    'environment "production": api.image.repository = "ghcr.io/acme/api:1.0": not a valid image repository (registry/path, lower case, no tag). Fix: use a repository such as ghcr.io/acme/generator-platform-web (in lib/config/images/production.yaml)'],
  ['an invalid hostname', 'staging', (c) => (c.webHostname = 'App_Staging'),
    'environment "staging": webHostname = "App_Staging": not a fully qualified lower-case DNS name. Fix: use a name such as app.example.com (in lib/config/environments/staging.ts)'],
  ['web and api on one hostname', 'production', (c) => (c.apiHostname = c.webHostname),
    'environment "production": apiHostname = "app.generator-platform.example.com": equals webHostname, so one Ingress rule would shadow the other. Fix: give the API its own hostname, e.g. api.<domain> (in lib/config/environments/production.ts)'],
  ['production in a single zone', 'production', (c) => (c.zones = ['eu-west-1a']),
    'environment "production": zones = ["eu-west-1a"]: production must survive the loss of a zone, so it needs at least 2 zones. Fix: list at least two zones of the cluster (in lib/config/environments/production.ts)'],
  ['a zone listed twice', 'staging', (c) => (c.zones = ['eu-west-1a', 'eu-west-1a']),
    'environment "staging": zones = ["eu-west-1a","eu-west-1a"]: "eu-west-1a" is listed twice. Fix: list each zone once (in lib/config/environments/staging.ts)'],
  ['no zones at all', 'development', (c) => (c.zones = []),
    'environment "development": zones = []: no zone to schedule pods in. Fix: list the topology.kubernetes.io/zone values of the cluster (in lib/config/environments/development.ts)'],
  ['an invalid namespace', 'development', (c) => (c.namespace = 'Generator_Platform'),
    'environment "development": namespace = "Generator_Platform": not a valid Kubernetes namespace name (a DNS label of at most 63 characters). Fix: use lower-case letters, digits and dashes, starting and ending with a letter or digit (in lib/config/environments/development.ts)'],
  ['quota headroom over 100 percent', 'production', (c) => (c.quotaHeadroomPercent = 250),
    'environment "production": quotaHeadroomPercent = 250: must be a whole number from 0 to 100. Fix: set it to the extra room the namespace quota keeps, e.g. 20 (in lib/config/environments/production.ts)'],
  ['an autoscaler target of 100 percent', 'staging', (c) => (c.api.targetCpuUtilizationPercent = 100),
    'environment "staging": api.targetCpuUtilizationPercent = 100: the api construct rejects it as its targetCpuUtilizationPercent. Fix: use a whole percentage from 10 to 95 (in lib/config/environments/staging.ts)'],
  ['production signed by the internal CA', 'production', (c) => (c.certificates = { ...c.certificates, publicIssuer: { kind: 'internal-ca' } }),
    'environment "production": certificates.publicIssuer = "internal-ca": production hostnames are public and browsers do not trust the internal CA. Fix: use an ACME issuer (LETS_ENCRYPT in lib/config/environments/security.ts) (in lib/config/environments/security.ts)'],
  ['a self-signed internal CA in staging', 'staging', (c) => (c.certificates = { ...c.certificates, internalCa: { kind: 'self-signed' } }),
    'environment "staging": certificates.internalCa = "self-signed": a self-signed root is for development and preview only; staging needs a CA with audit and revocation. Fix: use { kind: \'vault-pki\', signPath, role } (in lib/config/environments/staging.ts)'],
  ['a renewal window longer than half the lifetime', 'production', (c) => (c.certificates = { ...c.certificates, renewBeforeHours: 2000 }),
    'environment "production": certificates.renewBeforeHours = 2000: must be a whole number of hours from 1 to half of durationHours (1080). Fix: use a third of the lifetime, e.g. 720 for 2160 (in lib/config/environments/production.ts)'],
  ['a certificate lifetime over 90 days', 'staging', (c) => (c.certificates = { ...c.certificates, durationHours: 8760 }),
    'environment "staging": certificates.durationHours = 8760: must be a whole number of hours from 24 to 2160. Fix: use 2160 (90 days) (in lib/config/environments/staging.ts)'],
  ['a Vault PKI path that does not sign', 'production', (c) => (c.certificates = { ...c.certificates, internalCa: { kind: 'vault-pki', signPath: 'pki_int/issue', role: 'x' } }),
    'environment "production": certificates.internalCa.signPath = "pki_int/issue": not a Vault PKI sign path. Fix: use <pki mount>/sign/<role>, e.g. pki_int/sign/generator-platform-production (in lib/config/environments/production.ts)'],
  ['an http OIDC issuer', 'production', (c) => (c.authentication = { ...c.authentication, issuerUrl: 'http://login.acme.example.com' }),
    'environment "production": authentication.issuerUrl = "http://login.acme.example.com": not an https:// OIDC issuer URL. Fix: use the issuer of the identity provider, e.g. https://login.example.com/realms/platform (in lib/config/environments/security.ts)'],
  ['no allowed groups', 'staging', (c) => (c.authentication = { ...c.authentication, allowedGroups: [] }),
    'environment "staging": authentication.allowedGroups = []: empty, so every account of the identity provider would get in. Fix: list the groups that may use this environment (in lib/config/environments/staging.ts)'],
  ['no MFA value', 'production', (c) => (c.authentication = { ...c.authentication, mfa: { claim: 'amr', acceptedValues: [] } }),
    'environment "production": authentication.mfa.acceptedValues = []: must list at least one non-empty value without commas. Fix: list the values that prove MFA, e.g. [\'mfa\'] (in lib/config/environments/security.ts)'],
  ['a refresh interval longer than the session', 'development', (c) => (c.authentication = { ...c.authentication, sessionHours: 1, refreshMinutes: 90 }),
    'environment "development": authentication.refreshMinutes = 90: must be a whole number of minutes below the session lifetime (60). Fix: use e.g. 4, so a revoked account loses access within 4 minutes (in lib/config/environments/security.ts)'],
  ['the whole site public', 'production', (c) => (c.authentication = { ...c.authentication, webPublicPaths: ['/'] }),
    'environment "production": authentication.webPublicPaths = ["/"]: "/" is not a path below /. Fix: list only health and webhook paths, e.g. /healthz or /webhooks/ (in lib/config/environments/security.ts)'],
  ['egress to the whole internet', 'production', (c) => (c.egress = { ...c.egress, aiProviderCidrs: ['0.0.0.0/0'] }),
    'environment "production": egress.aiProviderCidrs = ["0.0.0.0/0"]: "0.0.0.0/0" is not a bounded IPv4 CIDR. Fix: list the provider\'s own ranges, e.g. 52.218.0.0/17, never 0.0.0.0/0 (in lib/config/environments/security.ts)'],
  ['no object storage egress', 'staging', (c) => (c.egress = { ...c.egress, objectStorageCidrs: [] }),
    'environment "staging": egress.objectStorageCidrs = []: empty, so the flow it serves would be blocked. Fix: list the CIDRs the provider publishes (in lib/config/environments/security.ts)'],
  ['a config registered under another environment', 'staging', (c) => (c.name = EnvironmentName.PRODUCTION),
    'environment "staging": name = "production": the config is registered as "staging". Fix: set name to EnvironmentName.STAGING (in lib/config/environments/staging.ts)'],
  ['an ingress controller selected by no labels', 'production', (c) => (c.ingressController = { namespace: 'ingress-nginx', podLabels: {} }),
    'environment "production": ingressController.podLabels = {}: empty, which would select every pod of that namespace. Fix: give the labels that select only that component\'s pods (in lib/config/environments/production.ts)'],
  ['production web released by rolling update', 'production', (c) => (c.delivery = { ...c.delivery, web: DeliveryKind.ROLLING_UPDATE }),
    'environment "production": delivery.web = "rolling-update": production releases web only after Prometheus analysis of the new version passed, which a rolling update cannot do. Fix: set delivery.web to DeliveryKind.BLUE_GREEN (in lib/config/environments/delivery.ts)'],
  ['staging api released by rolling update', 'staging', (c) => (c.delivery = { ...c.delivery, api: DeliveryKind.ROLLING_UPDATE }),
    'environment "staging": delivery.api = "rolling-update": staging releases api only after Prometheus analysis of the new version passed, which a rolling update cannot do. Fix: set delivery.api to DeliveryKind.CANARY (in lib/config/environments/delivery.ts)'],
  ['an unknown delivery strategy', 'development', (c) => (c.delivery = { ...c.delivery, web: 'recreate' }),
    'environment "development": delivery.web = "recreate": not an allowed value. Fix: use one of "rolling-update", "blue-green", "canary" (in lib/config/environments/delivery.ts)'],
  ['a success-rate objective below 99.9% in production', 'production', (c) => (c.delivery = { ...c.delivery, successRateObjectivePercent: 99 }),
    'environment "production": delivery.successRateObjectivePercent = 99: below the 99.9% availability objective, so a release could pass while breaking it. Fix: set delivery.successRateObjectivePercent to at least 99.9 (in lib/config/environments/delivery.ts)'],
  ['a success-rate objective of 100%', 'development', (c) => (c.delivery = { ...c.delivery, successRateObjectivePercent: 100 }),
    'environment "development": delivery.successRateObjectivePercent = 100: must be a percentage above 0 and below 100. Fix: set it to the availability objective, 99.9 (in lib/config/environments/delivery.ts)'],
  ['a fractional latency ceiling', 'staging', (c) => (c.delivery = { ...c.delivery, apiLatencyP95Ms: 0.5 }),
    'environment "staging": delivery.apiLatencyP95Ms = 0.5: must be a whole number of milliseconds from 1 to 60000. Fix: set delivery.apiLatencyP95Ms to the p95 latency a healthy release stays under, e.g. 500 (in lib/config/environments/delivery.ts)'],
  ['an analysis interval of one second', 'production', (c) => (c.delivery = { ...c.delivery, analysisIntervalSeconds: 1 }),
    'environment "production": delivery.analysisIntervalSeconds = 1: must be a whole number of seconds from 5 to 300. Fix: set it to a few Prometheus scrape intervals, e.g. 20 (in lib/config/environments/delivery.ts)'],
  ['an analysis gate of one measurement', 'staging', (c) => (c.delivery = { ...c.delivery, analysisCount: 1 }),
    'environment "staging": delivery.analysisCount = 1: must be a whole number from 2 to 30 (one failed measurement is tolerated, so a gate needs at least two). Fix: set delivery.analysisCount to 3 (in lib/config/environments/delivery.ts)'],
  ['production generator released by rolling update', 'production', (c) => (c.delivery = { ...c.delivery, generator: DeliveryKind.ROLLING_UPDATE }),
    'environment "production": delivery.generator = "rolling-update": production releases the generator only after an analysis of its own metrics passed, which a rolling update cannot do. Fix: set delivery.generator to DeliveryKind.CANARY (in lib/config/environments/delivery.ts)'],
  ['a blue-green generator', 'development', (c) => (c.delivery = { ...c.delivery, generator: DeliveryKind.BLUE_GREEN }),
    'environment "development": delivery.generator = "blue-green": the generator takes jobs from the queue and serves no traffic a blue-green switch could move. Fix: use DeliveryKind.ROLLING_UPDATE or DeliveryKind.CANARY (in lib/config/environments/delivery.ts)'],
  ['a generator surge of 0 percent', 'production', (c) => (c.delivery = { ...c.delivery, generatorMaxSurgePercent: 0 }),
    'environment "production": delivery.generatorMaxSurgePercent = 0: must be a whole percentage from 1 to 100. Fix: set it to 50: two batches of new workers per release (in lib/config/environments/delivery.ts)'],
  ['staging sign-in proxy released by rolling update', 'staging', (c) => (c.delivery = { ...c.delivery, signInProxy: DeliveryKind.ROLLING_UPDATE }),
    'environment "staging": delivery.signInProxy = "rolling-update": staging releases the sign-in proxy only after an analysis of its canary\'s answers passed, which a rolling update cannot do. Fix: set delivery.signInProxy to DeliveryKind.CANARY (in lib/config/environments/delivery.ts)'],
  ['a blue-green sign-in proxy', 'development', (c) => (c.delivery = { ...c.delivery, signInProxy: DeliveryKind.BLUE_GREEN }),
    'environment "development": delivery.signInProxy = "blue-green": ingress-nginx asks the sign-in proxy through its own Service, which must keep selecting every pod, so a blue-green switch would move every request at once unjudged. Fix: use DeliveryKind.ROLLING_UPDATE or DeliveryKind.CANARY (in lib/config/environments/delivery.ts)'],
  ['an unknown sign-in proxy strategy', 'production', (c) => (c.delivery = { ...c.delivery, signInProxy: 'recreate' }),
    'environment "production": delivery.signInProxy = "recreate": not an allowed value. Fix: use one of "rolling-update", "blue-green", "canary" (in lib/config/environments/delivery.ts)'],
  ['a Prometheus address without a scheme', 'production', (c) => (c.prometheusUrl = 'prometheus.monitoring:9090'),
    'environment "production": prometheusUrl = "prometheus.monitoring:9090": not an http(s) address of the Prometheus HTTP API. Fix: use the in-cluster Service address, e.g. http://kube-prometheus-stack-prometheus.monitoring.svc:9090 (in lib/config/environments/production.ts)'],
  ['a startup window of two seconds', 'staging', (c) => (c.web.startupTimeoutSeconds = 2),
    'environment "staging": web.startupTimeoutSeconds = 2: must be a whole number of seconds from 5 to 600. Fix: set web.startupTimeoutSeconds to how long the image takes to answer /healthz, with room to spare, or leave it out (in lib/config/environments/delivery.ts)'],
  ['a RabbitMQ cluster of two nodes', 'development', (c) => (c.messageBroker = { ...c.messageBroker, replicas: 2 }),
    'environment "development": messageBroker.replicas = 2: the rabbitmq construct rejects it as its replicas. Fix: use 1, or an odd number of at least 3 so that pause_minority always leaves a majority running (in lib/config/environments/development.ts)'],
  ['a single RabbitMQ node in staging', 'staging', (c) => (c.messageBroker = { ...c.messageBroker, replicas: 1 }),
    'environment "staging": messageBroker.replicas = 1: below the specification\'s 3 for RabbitMQ in staging. Fix: set messageBroker.replicas to at least 3 (in lib/config/environments/staging.ts)'],
  ['RabbitMQ memory below the specification', 'production', (c) => (c.messageBroker = { ...c.messageBroker, memoryMi: 2048 }),
    'environment "production": messageBroker.memoryMi = 2048: below the specification\'s 4096 for RabbitMQ in production. Fix: set messageBroker.memoryMi to at least 4096 (in lib/config/environments/production.ts)'],
  ['a Kubernetes API address that is a hostname', 'development', (c) => (c.kubernetesApiCidr = 'kubernetes.default.svc'),
    'environment "development": kubernetesApiCidr = "kubernetes.default.svc": not an IPv4 CIDR. Fix: give the API server endpoints as a CIDR (kubectl get endpoints kubernetes), e.g. 10.0.0.0/28 (in lib/config/environments/development.ts)'],
  ['a Vault path with a scheme', 'staging', (c) => (c.vaultPathPrefix = 'vault://generator-platform'),
    'environment "staging": vaultPathPrefix = "vault://generator-platform": not a Vault KV path. Fix: use a path such as generator-platform/production (in lib/config/environments/staging.ts)'],
  ['two PostgreSQL instances', 'development', (c) => (c.postgres = { ...c.postgres, instances: 2 }),
    'environment "development": postgres.instances = 2: the postgres construct rejects it as its instances. Fix: use 1 (no high availability) or 3 to 9: with 2, a failover leaves no standby to replicate synchronously to (in lib/config/environments/development.ts)'],
  ['PostgreSQL storage below the specification', 'staging', (c) => (c.postgres = { ...c.postgres, storageGi: 50 }),
    'environment "staging": postgres.storageGi = 50: below the specification\'s 100 for PostgreSQL in staging. Fix: set postgres.storageGi to at least 100 (in lib/config/environments/staging.ts)'],
  ['a backup location that is not s3://', 'production', (c) => (c.postgres = { ...c.postgres, backupDestinationPath: 'https://bucket/backups' }),
    'environment "production": postgres.backupDestinationPath = "https://bucket/backups": the postgres construct rejects it as its backupDestinationPath. Fix: use s3://<bucket>/<path>, e.g. s3://acme-backups/production/postgres (in lib/config/environments/production.ts)'],
  ['a backup endpoint without TLS', 'development', (c) => (c.postgres = { ...c.postgres, backupEndpointUrl: 'http://minio.local:9000' }),
    'environment "development": postgres.backupEndpointUrl = "http://minio.local:9000": the postgres construct rejects it as its backupEndpointUrl. Fix: use the HTTPS endpoint of the object store, e.g. https://s3.eu-west-1.amazonaws.com (credentials never travel in clear) (in lib/config/environments/development.ts)'],
  ['Redis primaries without replicas in production', 'production', (c) => (c.redis = { ...c.redis, replicasPerPrimary: 0 }),
    'environment "production": redis.replicasPerPrimary = 0: a primary without a replica cannot fail over in production. Fix: set redis.replicasPerPrimary to at least 1 (in lib/config/environments/production.ts)'],
  ['a Redis cluster of two primaries', 'development', (c) => (c.redis = { ...c.redis, primaries: 2 }),
    'environment "development": redis.primaries = 2: the redis construct rejects it as its primaries. Fix: use 3 to 100: Redis Cluster needs at least 3 primaries for a majority to fail a node over (in lib/config/environments/development.ts)'],
  ['a Redis volume too small for an AOF rewrite', 'staging', (c) => (c.redis = { ...c.redis, storageGi: 4 }),
    'environment "staging": redis.storageGi = 4: the redis construct rejects it as its storageGi. Fix: use at least 8: an AOF rewrite briefly needs room for two copies of the dataset (in lib/config/environments/staging.ts)'],
  ['Redis primaries that a zone loss would leave without a majority', 'production', (c) => (c.redis = { ...c.redis, primaries: 4 }),
    'environment "production": redis.primaries = 4: the redis construct rejects it as its primaries. Fix: over 3 zones one zone would hold 2 of 4 primaries, and after its loss the rest are no majority (3) to promote their replicas: use 3, 5, 6, 7, 8 primaries or more zones (in lib/config/environments/production.ts)'],
  ['a preview that renders cluster-scoped objects', 'preview', (c) => (c.ownsClusterScopedObjects = true),
    'environment "preview": ownsClusterScopedObjects = true: a preview runs on the development cluster, whose environment renders its ClusterIssuer and ClusterSecretStore. Fix: set ownsClusterScopedObjects to false (in lib/config/environments/preview.ts)'],
  ['staging that leaves its cluster-scoped objects to no one', 'staging', (c) => (c.ownsClusterScopedObjects = false),
    'environment "staging": ownsClusterScopedObjects = false: staging is the only environment on its cluster, so nothing else renders its ClusterIssuer and ClusterSecretStore. Fix: set ownsClusterScopedObjects to true (in lib/config/environments/staging.ts)'],
  ['production without alerting', 'production', (c) => (c.features = { ...c.features, alertingAndDashboards: false }),
    'environment "production": features.alertingAndDashboards = false: production must page on its alerts and SLOs. Fix: set features.alertingAndDashboards to true (in lib/config/environments/production.ts)'],
  ['progressive delivery without the recording rules it is analysed on', 'preview', (c) => (c.delivery = { ...c.delivery, api: DeliveryKind.CANARY }),
    'environment "preview": features.alertingAndDashboards = false: delivery.api is analysed on the recording rules that only the alerting rules render. Fix: set features.alertingAndDashboards to true, or delivery.api to DeliveryKind.ROLLING_UPDATE (in lib/config/environments/preview.ts)'],
  ['a single sign-in proxy in production', 'production', (c) => (c.authentication = { ...c.authentication, proxyReplicas: Replicas.fixed(1) }),
    'environment "production": authentication.proxyReplicas = "Replicas.fixed(1)": production must run at least 2 sign-in proxies, because every request to web and api waits for one. Fix: set authentication.proxyReplicas to Replicas.autoscaled({ min: 2, max: 4 }) (in lib/config/environments/production.ts)'],
  ['a preview store pattern without anchors', 'preview', (c) => (c.vaultStoreNamespacePattern = 'generator-platform-pr-[0-9]+'),
    'environment "preview": vaultStoreNamespacePattern = "generator-platform-pr-[0-9]+": not anchored with ^ and $, so it also matches longer namespace names. Fix: write an anchored regular expression over namespace names, e.g. ^generator-platform-pr-[0-9]+$ (in lib/config/environments/preview.ts)'],
  ['an application repository given as a URL', 'preview', (c) => (c.pullRequestPreviews = { ...c.pullRequestPreviews, applicationRepository: { owner: 'acme', repo: 'https://github.com/acme/generator-platform.git' } }),
    'environment "preview": pullRequestPreviews.applicationRepository.repo = "https://github.com/acme/generator-platform.git": not a GitHub repository name. Fix: use the repo part of https://github.com/<owner>/<repo>, without .git, e.g. generator-platform (in lib/config/environments/preview.ts)'],
  ['an application repository owner with a slash', 'preview', (c) => (c.pullRequestPreviews = { ...c.pullRequestPreviews, applicationRepository: { owner: 'acme/apps', repo: 'generator-platform' } }),
    'environment "preview": pullRequestPreviews.applicationRepository.owner = "acme/apps": not a GitHub user or organisation name. Fix: use the owner part of https://github.com/<owner>/<repo>, e.g. acme (in lib/config/environments/preview.ts)'],
  ['a preview image tag that does not follow the pull request head', 'preview', (c) => (c.pullRequestPreviews = { ...c.pullRequestPreviews, imageTag: 'pr-{{number}}' }),
    'environment "preview": pullRequestPreviews.imageTag = "pr-{{number}}": must be an image tag with {{head_sha}} in it, so that each preview runs its pull request\'s latest build. Fix: use the tag the application repository\'s CI pushes, e.g. pr-{{head_sha}} (in lib/config/environments/preview.ts)'],
  ['pull-request previews on staging', 'staging', (c) => (c.pullRequestPreviews = { applicationRepository: { owner: 'acme', repo: 'generator-platform' } }),
    'environment "staging": pullRequestPreviews = "set": staging is not rendered per pull request. Fix: remove pullRequestPreviews; only the preview environment has it (in lib/config/environments/staging.ts)'],
  ['a misspelt key of the application repository', 'preview', (c) => (c.pullRequestPreviews = { ...c.pullRequestPreviews, applicationRepository: { owner: 'acme', repository: 'generator-platform' } }),
    'environment "preview": pullRequestPreviews.applicationRepository.repository = "generator-platform": not a field of pullRequestPreviews.applicationRepository, so it would be ignored. Fix: remove it (lib/config/environment-config.ts declares the fields) (in lib/config/environments/preview.ts)'],
  ['a preview store pattern that also serves the development namespace', 'preview', (c) => (c.vaultStoreNamespacePattern = '^generator-platform(-pr-[0-9]+)?$'),
    'environment "preview": vaultStoreNamespacePattern = "^generator-platform(-pr-[0-9]+)?$": matches development\'s namespace generator-platform, so development\'s pods could read preview\'s secrets. Fix: narrow it to preview\'s own namespaces, e.g. ^generator-platform-pr-[0-9]+$ (in lib/config/environments/preview.ts)'],
  ['a session refresh slower than the ID token expires', 'staging', (c) => (c.authentication = { ...c.authentication, refreshMinutes: 15 }),
    'environment "staging": authentication.refreshMinutes = 15: is not below the ID token lifetime (5 minutes): oauth2-proxy would forward expired ID tokens, which web and api refuse. Fix: set refreshMinutes below 5, or raise the provider\'s token lifespan and idTokenLifetimeMinutes with it (in lib/config/environments/security.ts)'],
  ['a Vault address without TLS', 'production', (c) => (c.vaultAddress = 'http://vault:8200'),
    'environment "production": vaultAddress = "http://vault:8200": not an https:// address. Fix: give Vault\'s TLS address, e.g. https://vault.example.com:8200 (in lib/config/environments/production.ts)'],
  ['a Vault CA bundle that is a host name, not PEM', 'production', (c) => (c.vaultCaBundlePem = 'vault.acme.internal'),
    'environment "production": vaultCaBundlePem = "vault.acme.internal": not a CA bundle: it holds text outside its PEM CERTIFICATE blocks. Fix: paste the PEM of the CA that signs the certificate of https://vault.acme.internal:8200 (BEGIN CERTIFICATE blocks only; a CA certificate is public, never put a key here) (in lib/config/environments/vault-ca.ts)'],
  ['a Vault CA bundle with a private key pasted after the certificate', 'staging', (c) => (c.vaultCaBundlePem = `${c.vaultCaBundlePem}-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n`),
    'environment "staging": vaultCaBundlePem = "-----BEGIN CERTIFICATE-----\\nMIIB+jCCAZ+g… (848 characters)": not a CA bundle: it holds a "PRIVATE KEY" PEM block; a CA bundle holds only CERTIFICATE blocks (public data: never a key). Fix: paste the PEM of the CA that signs the certificate of https://vault.acme.internal:8200 (BEGIN CERTIFICATE blocks only; a CA certificate is public, never put a key here) (in lib/config/environments/vault-ca.ts)'],
  ['an empty Vault CA bundle', 'development', (c) => (c.vaultCaBundlePem = ''),
    'environment "development": vaultCaBundlePem = "": not a CA bundle: no PEM certificate in it. Fix: paste the PEM of the CA that signs the certificate of https://vault.acme.internal:8200 (BEGIN CERTIFICATE blocks only; a CA certificate is public, never put a key here) (in lib/config/environments/vault-ca.ts)'],
  ['a private backup endpoint without its CA', 'development', (c) => (c.postgres = { ...c.postgres, backupEndpointUrl: 'https://minio.acme.internal:9000' }),
    'environment "development": postgres.backupEndpointCaBundlePem = (not set): the postgres construct rejects it as its backupEndpointCaBundle. Fix: give the CA that signs the certificate of minio.acme.internal: a private endpoint has no certificate from a public CA, so every WAL upload would fail verification (in lib/config/environments/development.ts)'],
  ['a backup endpoint CA that is not base64', 'staging', (c) => (c.postgres = { ...c.postgres, backupEndpointUrl: 'https://minio.acme.internal:9000', backupEndpointCaBundlePem: '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n' }),
    'environment "staging": postgres.backupEndpointCaBundlePem = "-----BEGIN CERTIFICATE-----\\nnot base64!\\n… (66 characters)": not a CA bundle: the certificate is not base64 PEM. Fix: paste the PEM of the CA that signs the certificate of https://minio.acme.internal:9000 (BEGIN CERTIFICATE blocks only; a CA certificate is public, never put a key here) (in lib/config/environments/staging.ts)'],
  ['a misspelt field', 'production', (c) => { c.web.startupTimeoutSecond = c.web.startupTimeoutSeconds; delete c.web.startupTimeoutSeconds; },
    'environment "production": web.startupTimeoutSecond = 30: not a field of web, so it would be ignored. Fix: rename it to startupTimeoutSeconds (in lib/config/environments/production.ts)'],
  ['a misspelt storageClass on PostgreSQL', 'production', (c) => { c.postgres.storageclass = c.postgres.storageClass; delete c.postgres.storageClass; },
    'environment "production": postgres.storageclass = "gp3": not a field of postgres, so it would be ignored. Fix: rename it to storageClass (in lib/config/environments/production.ts)'],
  ['a misspelt block', 'staging', (c) => { c.api.replica = c.api.replicas; delete c.api.replicas; },
    'environment "staging": api.replica = {"min":2,"max":4,"isAutoscaled":true}: not a field of api, so it would be ignored. Fix: rename it to replicas (in lib/config/environments/staging.ts)'],
  ['a misspelt top-level block', 'development', (c) => { c.featurs = c.features; delete c.features; },
    'environment "development": featurs = {"strictTopologySpread":false,"debugLogging":true,"alertingAndDashboards":true}: not a field of an environment config, so it would be ignored. Fix: rename it to features (in lib/config/environments/development.ts)'],
  ['an unknown key in the MFA settings', 'production', (c) => (c.authentication = { ...c.authentication, mfa: { ...c.authentication.mfa, acr_values: 'mfa' } }),
    'environment "production": authentication.mfa.acr_values = "mfa": not a field of authentication.mfa, so it would be ignored. Fix: rename it to acrValues (in lib/config/environments/security.ts)'],
  ['a missing zones list', 'production', (c) => { delete c.zones; },
    'environment "production": zones = (not set): missing. Fix: add it (EnvironmentConfig in lib/config/environment-config.ts declares and documents it) (in lib/config/environments/production.ts)'],
  ['a missing redis block', 'staging', (c) => { delete c.redis; },
    'environment "staging": redis = (not set): missing. Fix: add it (EnvironmentConfig in lib/config/environment-config.ts declares and documents it) (in lib/config/environments/staging.ts)'],
  ['a missing postgres block', 'development', (c) => { delete c.postgres; },
    'environment "development": postgres = (not set): missing. Fix: add it (EnvironmentConfig in lib/config/environment-config.ts declares and documents it) (in lib/config/environments/development.ts)'],
  ['a RabbitMQ volume of 95 PiB', 'production', (c) => (c.messageBroker = { ...c.messageBroker, storageGi: 99999999 }),
    'environment "production": messageBroker.storageGi = 99999999: above the sane maximum of 65536. Fix: set messageBroker.storageGi to the real amount (a digit too many?) (in lib/config/environments/production.ts)'],
  ['a generator workspace of a billion GiB', 'staging', (c) => (c.generator = { ...c.generator, resources: { ...c.generator.resources, storageGi: 1e9 } }),
    'environment "staging": generator.resources.storageGi = 1000000000: above the sane maximum of 65536. Fix: set generator.resources.storageGi to the real amount (a digit too many?) (in lib/config/spec-minimums.ts)'],
  ['a quota headroom written as a string', 'production', (c) => (c.quotaHeadroomPercent = '20'),
    'environment "production": quotaHeadroomPercent = "20": not a number. Fix: write quotaHeadroomPercent as a number, without quotes (in lib/config/environments/production.ts)'],
  ['replicas written as a number', 'development', (c) => (c.web = { ...c.web, replicas: 2 }),
    'environment "development": web.replicas = 2: not built by its factory. Fix: use Replicas.fixed(n) or Replicas.autoscaled({ min, max }) (in lib/config/environments/reduced-footprint-services.ts)'],
  ['an ACME issuer of an unknown kind', 'staging', (c) => (c.certificates = { ...c.certificates, publicIssuer: { kind: 'acme-staging' } }),
    'environment "staging": certificates.publicIssuer.kind = "acme-staging": not one of the allowed kinds. Fix: see the kinds lib/config/environment-config.ts and lib/config/security-config.ts declare (in lib/config/environments/security.ts)'],
  ['an image signer written as a plain object', 'production', (c) => (c.imageSigner = { keyless: { issuer: 'https://token.actions.githubusercontent.com' } }),
    'environment "production": imageSigner = {"keyless":{"issuer":"https://token.actions.githubusercontent.com"}}: not built by its factory. Fix: use ImageSigner.keyless(...) or ImageSigner.publicKey(...) (in lib/config/environments/production.ts)'],
  ['staging web on production\'s hostname', 'staging', (c) => (c.webHostname = 'app.generator-platform.example.com'),
    'environment "staging": webHostname = "app.generator-platform.example.com": also production\'s webHostname, so both environments would claim one host. Fix: give staging hostnames of its own, e.g. app.staging.generator-platform.example.com (in lib/config/environments/staging.ts)'],
  ['a session longer than a day, set in the shared sign-in settings', 'production', (c) => (c.authentication = { ...c.authentication, sessionHours: 48 }),
    'environment "production": authentication.sessionHours = 48: must be a whole number from 1 to 24. Fix: use a working day, e.g. 8 (in lib/config/environments/security.ts)'],
  ['a negative CPU amount in the shared reduced footprint', 'preview', (c) => (c.api = { ...c.api, resources: { ...c.api.resources, cpuMillis: -1 } }),
    'environment "preview": api.resources.cpuMillis = -1: below the minimum of 1. Fix: set api.resources.cpuMillis to a positive amount (in lib/config/environments/reduced-footprint-services.ts)'],
  ['a web image tag latest, which the data file holds', 'development', (c) => (c.web = { ...c.web, image: { ...c.web.image, tag: 'latest' } }),
    'environment "development": web.image.tag = "latest": must be a version tag, never latest. Fix: use the release version, e.g. 1.4.2 (in lib/config/images/development.yaml)'],
  ['a node pool whose maximum is below its minimum', 'production', (c) => (c.nodePool = { ...c.nodePool, maxNodesPerZone: 2 }),
    'environment "production": nodePool.maxNodesPerZone = 2: is below nodePool.minNodesPerZone (3). Fix: set nodePool.maxNodesPerZone to at least 3 (in lib/config/environments/node-pools.ts)'],
  ['production with one node per zone', 'production', (c) => (c.nodePool = { ...c.nodePool, minNodesPerZone: 1 }),
    'environment "production": nodePool.minNodesPerZone = 1: production must keep at least 2 nodes per zone. Fix: set nodePool.minNodesPerZone to at least 2, so that a node can be drained (an upgrade, a replacement) in each zone while another keeps running the zone\'s pods: with one, a drain empties the zone (in lib/config/environments/node-pools.ts)'],
  ['a node pool that may shrink a zone to no node', 'development', (c) => (c.nodePool = { ...c.nodePool, minNodesPerZone: 0 }),
    'environment "development": nodePool.minNodesPerZone = 0: leaves a zone without a node, yet pods run in every zone of zones (Redis in a StatefulSet pinned to each). Fix: set nodePool.minNodesPerZone to at least 1 (in lib/config/environments/node-pools.ts)'],
  ['a fractional node memory', 'staging', (c) => (c.nodePool = { ...c.nodePool, memoryMi: 63971.5 }),
    'environment "staging": nodePool.memoryMi = 63971.5: must be a positive whole number. Fix: set nodePool.memoryMi to the allocatable memory of one node in MiB (in lib/config/environments/node-pools.ts)'],
  ['a node pool of no pods per node', 'preview', (c) => (c.nodePool = { ...c.nodePool, maxPods: 0 }),
    'environment "preview": nodePool.maxPods = 0: must be a positive whole number. Fix: set nodePool.maxPods to the kubelet\'s maxPods, e.g. 110 (in lib/config/environments/node-pools.ts)'],
  ['nodes with less CPU than the generator requests', 'production', (c) => (c.nodePool = { ...c.nodePool, cpuMillis: 3000 }),
    'environment "production": nodePool.cpuMillis = 3000: below the largest pod\'s request, generator with 4000m CPU (generator.resources.cpuMillis), so that pod could never be scheduled. Fix: use a bigger machine: at least 4000 allocatable millicores per node (in lib/config/environments/node-pools.ts)'],
  ['nodes with less memory than the largest development pod', 'development', (c) => (c.nodePool = { ...c.nodePool, memoryMi: 1024 }),
    'environment "development": nodePool.memoryMi = 1024: below the largest pod\'s request, generator with 2048Mi memory (generator.resources.memoryMi), so that pod could never be scheduled. Fix: use a bigger machine: at least 2048 allocatable MiB per node (in lib/config/environments/node-pools.ts)'],
  ['a misspelt node pool field', 'production', (c) => { c.nodePool = { ...c.nodePool, maxNodesPerzone: 8 }; delete c.nodePool.maxNodesPerZone; },
    'environment "production": nodePool.maxNodesPerzone = 8: not a field of nodePool, so it would be ignored. Fix: rename it to maxNodesPerZone (in lib/config/environments/node-pools.ts)'],
  ['a node of 1600 cores', 'staging', (c) => (c.nodePool = { ...c.nodePool, cpuMillis: 1_600_000 }),
    'environment "staging": nodePool.cpuMillis = 1600000: above the sane maximum of 256000. Fix: set nodePool.cpuMillis to the real amount (a digit too many?) (in lib/config/environments/node-pools.ts)'],
];

describe('a wrong environment config fails synth with one exact line and writes nothing', () => {
  test.each(cases)('fails on %s', async (_title, environment, change, message) => {
    const registry: Record<string, EnvironmentConfig> = { ...ENVIRONMENTS, [environment]: configWith(environment, change) };
    const dist = previousDist();
    const before = dist.snapshot();
    const error = await synthesize({ outDir: dist.dir, registry }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(message);
    expect(dist.snapshot()).toEqual(before);
  });

  test('fails on an unknown environment name, naming the ones that exist', async () => {
    const dist = previousDist();
    const before = dist.snapshot();
    await expect(synthesize({ outDir: dist.dir, environments: ['prod'] })).rejects.toThrow(
      'environment "prod": --env = "prod": no such environment. Fix: use one of development, preview, staging, production',
    );
    expect(dist.snapshot()).toEqual(before);
  });

  test('covers at least 40 distinct mistakes, each with its own message', () => {
    expect(new Set(cases.map(([title]) => title)).size).toBe(cases.length);
    expect(new Set(cases.map(([, , , message]) => message)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  test('every message is one line naming the environment, the field, the fix and an existing file', () => {
    for (const [, environment, , message] of cases) {
      expect(message.split('\n')).toHaveLength(1);
      const named = message.match(/^environment "([a-z]+)": [A-Za-z_.[\]0-9]+ = .+: .+\. Fix: .+ \(in ([\w/.-]+\.(?:ts|yaml))\)$/);
      expect(named).not.toBeNull();
      expect(named![1]).toBe(environment);
      expect(fs.existsSync(path.join(__dirname, '..', '..', named![2]))).toBe(true);
    }
  });
});
