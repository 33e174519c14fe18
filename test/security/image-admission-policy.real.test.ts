import { Yaml } from 'cdk8s';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { imageReference } from '../../lib/platform/image-reference';
import { OPERATOR_IMAGES } from '../../lib/platform/third-party-images';
import { parseManifestFile } from '../../tools/validation/load-manifests';
import { JsonObject } from '../../tools/validation/manifest';
import { podTemplatesOf } from '../../tools/validation/pod-templates';
import { find, KubeObject, renderChart } from '../support/kube';
import { kyvernoApply, kyvernoCli, KyvernoResult } from './support/kyverno-cli';

/**
 * The admission policy run by Kyverno's own engine (the CLI of the release the clusters run),
 * against the Pods the rendered environment makes: the pod templates, and the Pods the operators
 * build for the custom resources, with the operators' own images.
 */

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const CNPG_OPERATOR = imageReference(OPERATOR_IMAGES.cloudnativePg);

function pod(name: string, spec: JsonObject): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'generator-platform', labels: {}, annotations: {} }, spec };
}

function containers(images: readonly string[], prefix: string) {
  return images.map((image, index) => ({ name: `${prefix}-${index}`, image }));
}

/** The Pods an operator runs for a rendered custom resource, with the images it gives them. */
function operatorPods(object: KubeObject): KubeObject[] {
  const name = `${object.kind}-${object.metadata.name}`.toLowerCase();
  if (object.kind === 'Cluster' && object.apiVersion.startsWith('postgresql.cnpg.io/')) {
    return [pod(name, { initContainers: [{ name: 'bootstrap-controller', image: CNPG_OPERATOR }], containers: [{ name: 'postgres', image: object.spec.imageName }] })];
  }
  if (object.kind === 'Pooler') {
    return [pod(name, { initContainers: [{ name: 'bootstrap-controller', image: CNPG_OPERATOR }], containers: object.spec.template.spec.containers })];
  }
  if (object.kind === 'RabbitmqCluster') {
    return [pod(name, { initContainers: [{ name: 'setup-container', image: object.spec.image }], containers: [{ name: 'rabbitmq', image: object.spec.image }] })];
  }
  if (object.kind === 'Certificate' && object.spec.issuerRef?.name === 'letsencrypt-production') {
    return [pod(`cm-acme-http-solver-${object.metadata.name}`, { containers: [{ name: 'acmesolver', image: imageReference(OPERATOR_IMAGES.certManagerAcmeSolver) }] })];
  }
  return [];
}

/** Every Pod the environment's manifests make the cluster run. */
function podsOf(objects: readonly KubeObject[], environment: string): KubeObject[] {
  const manifests = parseManifestFile(`${environment}/all.yaml`, Yaml.stringify(...objects));
  const templated = manifests.flatMap((object) =>
    podTemplatesOf(object).map((template, index) => pod(`${object.kind}-${object.name}-${index}`.toLowerCase(), template.spec)),
  );
  return [...templated, ...objects.flatMap(operatorPods)];
}

function verdicts(results: readonly KyvernoResult[]): Record<string, Record<string, string>> {
  const byPod: Record<string, Record<string, string>> = {};
  for (const entry of results) {
    byPod[entry.pod] = { ...byPod[entry.pod], [entry.rule]: entry.result };
  }
  return byPod;
}

const policyOf = (objects: readonly KubeObject[]) => find(objects, 'ClusterPolicy', 'restrict-generator-platform-images');

describe("ImageAdmissionPolicy in Kyverno's engine", () => {
  beforeAll(() => {
    kyvernoCli();
  }, 20 * 60_000);

  test.each(['staging', 'production'] as const)('%s: admits every Pod its manifests and operators make, and each is checked by both rules', (environment) => {
    const objects = renderChart(ENVIRONMENTS[environment]);
    const pods = podsOf(objects, environment);
    const results = verdicts(kyvernoApply([policyOf(objects)], pods));
    // Stores, services, the sign-in proxy, Jobs and analysis Jobs, and the operators' Pods.
    expect(pods.map((entry) => entry.metadata.name)).toEqual(expect.arrayContaining(['statefulset-redis-eu-west-1a-0', 'job-redis-bootstrap-0', 'cluster-postgres', 'pooler-postgres-pooler', 'rabbitmqcluster-rabbitmq']));
    expect(Object.keys(results).sort()).toEqual(pods.map((entry) => entry.metadata.name).sort());
    for (const [name, rules] of Object.entries(results)) {
      expect([name, rules]).toEqual([name, { 'allowed-image-repositories': 'pass', 'images-by-digest': 'pass' }]);
    }
  }, 120_000);

  test('staging denies a foreign registry, a tag that has no pending digest, a short name, and a bad init or ephemeral container', () => {
    const policy = policyOf(renderChart(ENVIRONMENTS.staging));
    const results = verdicts(kyvernoApply([policy], [
      pod('foreign-registry', { containers: containers([`docker.io/evil/miner:1.0@${DIGEST}`], 'c') }),
      pod('moved-tag', { containers: containers(['docker.io/library/redis:7.0.16'], 'c') }),
      pod('short-name', { containers: containers(['redis:7.0.15'], 'c') }),
      pod('foreign-init', { initContainers: containers(['busybox:1.36'], 'i'), containers: containers([`docker.io/library/redis:7.0.15@${DIGEST}`], 'c') }),
      pod('foreign-debug', { containers: containers([`docker.io/library/redis:7.0.15@${DIGEST}`], 'c'), ephemeralContainers: containers([`docker.io/library/busybox:1.36@${DIGEST}`], 'e') }),
      pod('pending-digest', { initContainers: containers([CNPG_OPERATOR], 'i'), containers: containers(['docker.io/library/redis:7.0.15'], 'c') }),
    ]));
    expect(results).toEqual({
      'foreign-registry': { 'allowed-image-repositories': 'fail', 'images-by-digest': 'pass' },
      'moved-tag': { 'allowed-image-repositories': 'pass', 'images-by-digest': 'fail' },
      'short-name': { 'allowed-image-repositories': 'fail', 'images-by-digest': 'fail' },
      'foreign-init': { 'allowed-image-repositories': 'fail', 'images-by-digest': 'fail' },
      'foreign-debug': { 'allowed-image-repositories': 'fail', 'images-by-digest': 'pass' },
      'pending-digest': { 'allowed-image-repositories': 'pass', 'images-by-digest': 'pass' },
    });
  }, 120_000);

  test('development admits listed repositories by tag and still denies other registries; Pods outside the platform namespaces are not matched', () => {
    const objects = renderChart(ENVIRONMENTS.development);
    const results = verdicts(kyvernoApply([policyOf(objects)], [
      pod('listed-by-tag', { containers: containers(['docker.io/library/redis:7.0.16'], 'c') }),
      pod('foreign-registry', { containers: containers(['docker.io/evil/miner:1.0'], 'c') }),
      { ...pod('elsewhere', { containers: containers(['docker.io/evil/miner:1.0'], 'c') }), metadata: { name: 'elsewhere', namespace: 'default', labels: {}, annotations: {} } },
    ]));
    expect(results).toEqual({
      'listed-by-tag': { 'allowed-image-repositories': 'pass' },
      'foreign-registry': { 'allowed-image-repositories': 'fail' },
    });
  }, 120_000);
});
