import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../lib/config/config-error';
import { EnvironmentConfig, EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { Replicas } from '../../lib/platform/replicas';
import { DeliveryKind } from '../../lib/delivery/delivery-strategy';
import { synthesize } from '../../synth/synthesize';
import { configWith } from '../support/configs';

/** A dist/ from an earlier synth, which a failed synth must leave byte for byte as it was. */
function previousDist(): { dir: string; snapshot: () => Record<string, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-config-'));
  const out = path.join(dir, 'dist');
  fs.mkdirSync(path.join(out, 'production'), { recursive: true });
  fs.writeFileSync(path.join(out, 'production', 'web.yaml'), 'previous: content\n');
  fs.writeFileSync(path.join(out, 'README.txt'), 'kept\n');
  const snapshot = () => {
    const files: Record<string, string> = {};
    const walk = (d: string) => {
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, entry.name);
        if (entry.isDirectory()) walk(p);
        else files[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
      }
    };
    walk(dir);
    return files;
  };
  return { dir: out, snapshot };
}

const FULL_DIGEST = 'sha256:' + 'a'.repeat(64);

const cases: Array<[string, `${EnvironmentName}`, (c: any) => void, RegExp]> = [
  ['production API below two replicas', 'production', (c) => (c.api.replicas = Replicas.autoscaled({ min: 1, max: 4 })), /environment "production": api\.replicas\.min = 1: production must run at least 2 replicas.*Fix: set api\.replicas to Replicas\.autoscaled\(\{ min: 2, max: 4 \}\)/],
  ['staging web with a fixed replica count', 'staging', (c) => (c.web.replicas = Replicas.fixed(3)), /environment "staging": web\.replicas = "Replicas\.fixed\(3\)": staging must autoscale every service/],
  ['replica maximum below the minimum', 'development', (c) => (c.web.replicas = Replicas.autoscaled({ min: 3, max: 2 })), /environment "development": web\.replicas\.max = 2: is below replicas\.min \(3\)/],
  ['zero replicas', 'development', (c) => (c.api.replicas = Replicas.fixed(0)), /api\.replicas\.min = 0: must be a whole number from 1 to 100/],
  ['a fractional replica count', 'preview', (c) => (c.generator.replicas = Replicas.fixed(1.5)), /environment "preview": generator\.replicas\.min = 1\.5: must be a whole number/],
  ['generator CPU below the specification in production', 'production', (c) => (c.generator.resources = { ...c.generator.resources, cpuMillis: 2000 }), /generator\.resources\.cpuMillis = 2000: below the specification's 4000 for generator in production.*at least 4000/],
  ['web memory below the specification in staging', 'staging', (c) => (c.web.resources = { ...c.web.resources, memoryMi: 2048 }), /web\.resources\.memoryMi = 2048: below the specification's 4096/],
  ['api storage below the specification in production', 'production', (c) => (c.api.resources = { ...c.api.resources, storageGi: 10 }), /api\.resources\.storageGi = 10: below the specification's 20/],
  ['a negative resource amount', 'development', (c) => (c.web.resources = { ...c.web.resources, cpuMillis: -500 }), /web\.resources\.cpuMillis = -500: must be a positive whole number/],
  ['production image without a digest', 'production', (c) => (c.web.image = { repository: c.web.image.repository, tag: '1.4.2' }), /web\.image\.digest = \(not set\): production pulls images by digest only.*Fix: set web\.image\.digest/],
  ['a malformed digest', 'staging', (c) => (c.api.image = { ...c.api.image, digest: 'sha256:1234' }), /api\.image\.digest = "sha256:1234": not a sha256 digest/],
  ['the latest tag', 'development', (c) => (c.generator.image = { ...c.generator.image, tag: 'latest' }), /generator\.image\.tag = "latest": must be a version tag, never latest/],
  ['an image repository with a tag in it', 'production', (c) => (c.api.image = { repository: 'ghcr.io/acme/api:1.0', tag: '1.0', digest: FULL_DIGEST }), /api\.image\.repository = "ghcr\.io\/acme\/api:1\.0": not a valid image repository/],
  ['an invalid hostname', 'staging', (c) => (c.webHostname = 'App_Staging'), /webHostname = "App_Staging": not a fully qualified lower-case DNS name/],
  ['web and api on one hostname', 'production', (c) => (c.apiHostname = c.webHostname), /apiHostname = "app\.generator-platform\.example\.com": equals webHostname/],
  ['production in a single zone', 'production', (c) => (c.zones = ['eu-west-1a']), /zones = \["eu-west-1a"\]: production must survive the loss of a zone/],
  ['a zone listed twice', 'staging', (c) => (c.zones = ['eu-west-1a', 'eu-west-1a']), /zones = \["eu-west-1a","eu-west-1a"\]: "eu-west-1a" is listed twice/],
  ['no zones at all', 'development', (c) => (c.zones = []), /zones = \[\]: no zone to schedule pods in/],
  ['an invalid namespace', 'development', (c) => (c.namespace = 'Generator_Platform'), /namespace = "Generator_Platform": not a valid Kubernetes namespace name/],
  ['quota headroom over 100 percent', 'production', (c) => (c.quotaHeadroomPercent = 250), /quotaHeadroomPercent = 250: must be a whole number from 0 to 100/],
  ['an autoscaler target of 100 percent', 'staging', (c) => (c.api.targetCpuUtilizationPercent = 100), /api\.targetCpuUtilizationPercent = 100: the api construct rejects it as its targetCpuUtilizationPercent\. Fix: use a whole percentage from 10 to 95/],
  ['production signed by the internal CA', 'production', (c) => (c.certificates = { ...c.certificates, publicIssuer: { kind: 'internal-ca' } }), /environment "production": certificates\.publicIssuer = "internal-ca": production hostnames are public.*Fix: use an ACME issuer/],
  ['a self-signed internal CA in staging', 'staging', (c) => (c.certificates = { ...c.certificates, internalCa: { kind: 'self-signed' } }), /certificates\.internalCa = "self-signed": a self-signed root is for development and preview only/],
  ['a renewal window longer than half the lifetime', 'production', (c) => (c.certificates = { ...c.certificates, renewBeforeHours: 2000 }), /certificates\.renewBeforeHours = 2000: must be a whole number of hours from 1 to half of durationHours \(1080\)/],
  ['a certificate lifetime over 90 days', 'staging', (c) => (c.certificates = { ...c.certificates, durationHours: 8760 }), /certificates\.durationHours = 8760: must be a whole number of hours from 24 to 2160/],
  ['a Vault PKI path that does not sign', 'production', (c) => (c.certificates = { ...c.certificates, internalCa: { kind: 'vault-pki', signPath: 'pki_int/issue', role: 'x' } }), /certificates\.internalCa\.signPath = "pki_int\/issue": not a Vault PKI sign path/],
  ['an http OIDC issuer', 'production', (c) => (c.authentication = { ...c.authentication, issuerUrl: 'http://login.acme.example.com' }), /authentication\.issuerUrl = "http:\/\/login\.acme\.example\.com": not an https:\/\/ OIDC issuer URL/],
  ['no allowed groups', 'staging', (c) => (c.authentication = { ...c.authentication, allowedGroups: [] }), /authentication\.allowedGroups = \[\]: empty, so every account of the identity provider would get in/],
  ['no MFA value', 'production', (c) => (c.authentication = { ...c.authentication, mfa: { claim: 'amr', acceptedValues: [] } }), /authentication\.mfa\.acceptedValues = \[\]: must list at least one non-empty value/],
  ['a refresh interval longer than the session', 'development', (c) => (c.authentication = { ...c.authentication, sessionHours: 1, refreshMinutes: 90 }), /authentication\.refreshMinutes = 90: must be a whole number of minutes below the session lifetime \(60\)/],
  ['the whole site public', 'production', (c) => (c.authentication = { ...c.authentication, webPublicPaths: ['/'] }), /authentication\.webPublicPaths = \["\/"\]: "\/" is not a path below \//],
  ['egress to the whole internet', 'production', (c) => (c.egress = { ...c.egress, aiProviderCidrs: ['0.0.0.0/0'] }), /egress\.aiProviderCidrs = \["0\.0\.0\.0\/0"\]: "0\.0\.0\.0\/0" is not a bounded IPv4 CIDR/],
  ['no object storage egress', 'staging', (c) => (c.egress = { ...c.egress, objectStorageCidrs: [] }), /egress\.objectStorageCidrs = \[\]: empty/],
  ['a config registered under another environment', 'staging', (c) => (c.name = EnvironmentName.PRODUCTION), /environment "staging": name = "production": the config is registered as "staging"/],
  ['an ingress controller selected by no labels', 'production', (c) => (c.ingressController = { namespace: 'ingress-nginx', podLabels: {} }), /ingressController\.podLabels = \{\}: empty, which would select every pod/],
  ['production web released by rolling update', 'production', (c) => (c.delivery = { ...c.delivery, web: DeliveryKind.ROLLING_UPDATE }), /environment "production": delivery\.web = "rolling-update": production releases web only after Prometheus analysis.*Fix: set delivery\.web to DeliveryKind\.BLUE_GREEN/],
  ['staging api released by rolling update', 'staging', (c) => (c.delivery = { ...c.delivery, api: DeliveryKind.ROLLING_UPDATE }), /delivery\.api = "rolling-update": staging releases api only after Prometheus analysis.*DeliveryKind\.CANARY/],
  ['an unknown delivery strategy', 'development', (c) => (c.delivery = { ...c.delivery, web: 'recreate' }), /delivery\.web = "recreate": not a delivery strategy.*DeliveryKind\.ROLLING_UPDATE, DeliveryKind\.BLUE_GREEN, DeliveryKind\.CANARY/],
  ['a success-rate objective below 99.9% in production', 'production', (c) => (c.delivery = { ...c.delivery, successRateObjectivePercent: 99 }), /delivery\.successRateObjectivePercent = 99: below the 99\.9% availability objective/],
  ['a success-rate objective of 100%', 'development', (c) => (c.delivery = { ...c.delivery, successRateObjectivePercent: 100 }), /delivery\.successRateObjectivePercent = 100: must be a percentage above 0 and below 100/],
  ['a fractional latency ceiling', 'staging', (c) => (c.delivery = { ...c.delivery, apiLatencyP95Ms: 0.5 }), /delivery\.apiLatencyP95Ms = 0\.5: must be a whole number of milliseconds/],
  ['an analysis interval of one second', 'production', (c) => (c.delivery = { ...c.delivery, analysisIntervalSeconds: 1 }), /delivery\.analysisIntervalSeconds = 1: must be a whole number of seconds from 5 to 300/],
  ['an analysis gate of one measurement', 'staging', (c) => (c.delivery = { ...c.delivery, analysisCount: 1 }), /delivery\.analysisCount = 1: must be a whole number from 2 to 30/],
  ['a generator surge of 0 percent', 'production', (c) => (c.delivery = { ...c.delivery, generatorMaxSurgePercent: 0 }), /delivery\.generatorMaxSurgePercent = 0: must be a whole percentage from 1 to 100/],
  ['a Prometheus address without a scheme', 'production', (c) => (c.prometheusUrl = 'prometheus.monitoring:9090'), /prometheusUrl = "prometheus\.monitoring:9090": not an http\(s\) address of the Prometheus HTTP API/],
  ['a startup window of two seconds', 'staging', (c) => (c.web.startupTimeoutSeconds = 2), /web\.startupTimeoutSeconds = 2: must be a whole number of seconds from 5 to 600/],
  ['a RabbitMQ cluster of two nodes', 'production', (c) => (c.messageBroker = { ...c.messageBroker, replicas: 2 }), /messageBroker\.replicas = 2: RabbitMQ needs 1 node, or an odd number of at least 3/],
  ['a single RabbitMQ node in staging', 'staging', (c) => (c.messageBroker = { ...c.messageBroker, replicas: 1 }), /messageBroker\.replicas = 1: below the specification's 3 for RabbitMQ in staging/],
  ['RabbitMQ memory below the specification', 'production', (c) => (c.messageBroker = { ...c.messageBroker, memoryMi: 2048 }), /messageBroker\.memoryMi = 2048: below the specification's 4096/],
  ['a Kubernetes API address that is a hostname', 'development', (c) => (c.kubernetesApiCidr = 'kubernetes.default.svc'), /kubernetesApiCidr = "kubernetes\.default\.svc": not an IPv4 CIDR/],
  ['a Vault path with a scheme', 'staging', (c) => (c.vaultPathPrefix = 'vault://generator-platform'), /vaultPathPrefix = "vault:\/\/generator-platform": not a Vault KV path/],
  ['two PostgreSQL instances', 'development', (c) => (c.postgres = { ...c.postgres, instances: 2 }), /environment "development": postgres\.instances = 2: the postgres construct rejects it as its instances\. Fix: /],
  ['PostgreSQL storage below the specification', 'staging', (c) => (c.postgres = { ...c.postgres, storageGi: 50 }), /postgres\.storageGi = 50: below the specification's 100 for PostgreSQL in staging/],
  ['a backup location that is not s3://', 'production', (c) => (c.postgres = { ...c.postgres, backupDestinationPath: 'https://bucket/backups' }), /postgres\.backupDestinationPath = "https:\/\/bucket\/backups": the postgres construct rejects it as its backupDestinationPath\. Fix: use s3:\/\//],
  ['a backup endpoint without TLS', 'development', (c) => (c.postgres = { ...c.postgres, backupEndpointUrl: 'http://minio.local:9000' }), /environment "development": postgres\.backupEndpointUrl = "http:\/\/minio\.local:9000": the postgres construct rejects it as its backupEndpointUrl\. Fix: use the HTTPS endpoint of the object store/],
  ['Redis primaries without replicas in production', 'production', (c) => (c.redis = { ...c.redis, replicasPerPrimary: 0 }), /redis\.replicasPerPrimary = 0: a primary without a replica cannot fail over in production/],
  ['a Redis cluster of two primaries', 'development', (c) => (c.redis = { ...c.redis, primaries: 2 }), /redis\.primaries = 2: Redis Cluster needs at least 3 primaries/],
  ['a Redis volume too small for an AOF rewrite', 'staging', (c) => (c.redis = { ...c.redis, storageGi: 4 }), /redis\.storageGi = 4: the append-only file needs room for twice the memory during a rewrite.*at least 8/],
  ['a preview that renders cluster-scoped objects', 'preview', (c) => (c.ownsClusterScopedObjects = true), /environment "preview": ownsClusterScopedObjects = true: a preview runs on the development cluster.*Fix: set ownsClusterScopedObjects to false/],
  ['staging that leaves its cluster-scoped objects to no one', 'staging', (c) => (c.ownsClusterScopedObjects = false), /ownsClusterScopedObjects = false: staging is the only environment on its cluster/],
  ['production without alerting', 'production', (c) => (c.features = { ...c.features, alertingAndDashboards: false }), /features\.alertingAndDashboards = false: production must page on its alerts and SLOs/],
  ['progressive delivery without the recording rules it is analysed on', 'preview', (c) => (c.delivery = { ...c.delivery, api: DeliveryKind.CANARY }), /environment "preview": features\.alertingAndDashboards = false: delivery\.api is analysed on the recording rules/],
  ['a single sign-in proxy in production', 'production', (c) => (c.authentication = { ...c.authentication, proxyReplicas: Replicas.fixed(1) }), /authentication\.proxyReplicas = "Replicas\.fixed\(1\)": production must run at least 2 sign-in proxies.*Fix: set authentication\.proxyReplicas to Replicas\.autoscaled\(\{ min: 2, max: 4 \}\)/],
  ['a Vault address without TLS', 'production', (c) => (c.vaultAddress = 'http://vault:8200'), /vaultAddress = "http:\/\/vault:8200": not an https:\/\/ address/],
];

describe('a wrong environment config fails synth with one clear message and writes nothing', () => {
  test.each(cases)('fails on %s', (_title, environment, change, message) => {
    const bad = configWith(environment, change);
    const registry: Record<string, EnvironmentConfig> = { ...ENVIRONMENTS, [environment]: bad };
    const dist = previousDist();
    const before = dist.snapshot();

    let error: unknown;
    try {
      synthesize({ outDir: dist.dir, registry });
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expect(text).toMatch(/ Fix: /);
    expect(text).toContain(`lib/config/environments/${environment}.ts`);
    expect(text.split('\n')).toHaveLength(1);
    expect(dist.snapshot()).toEqual(before);
  });

  test('fails on an unknown environment name, naming the ones that exist', () => {
    const dist = previousDist();
    const before = dist.snapshot();
    expect(() => synthesize({ outDir: dist.dir, environments: ['prod'] })).toThrow(
      'environment "prod": --env = "prod": no such environment. Fix: use one of development, preview, staging, production',
    );
    expect(dist.snapshot()).toEqual(before);
  });

  test('covers at least 15 distinct mistakes', () => {
    expect(new Set(cases.map(([title]) => title)).size).toBeGreaterThanOrEqual(15);
  });
});
