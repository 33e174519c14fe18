import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../../tools/schemas/schema-lock';
import { ADDON_IMAGE_PINNED } from '../../../tools/validation/addons/addon-image-rule';
import { ADDON_ORIGIN_FILE, AddonOrigin } from '../../../tools/validation/addons/addon-origin';
import { ADDON_PROJECT_PERMITS } from '../../../tools/validation/addons/addon-project-rule';
import { AddonRule } from '../../../tools/validation/addons/addon-rule';
import { THIRD_PARTY_DECISIONS, thirdPartyDecisionRow, undecidedRules } from '../../../tools/validation/addons/third-party-rules';
import { EnvironmentScope } from '../../../tools/validation/environment-scope';
import { JsonObject, ManifestObject } from '../../../tools/validation/manifest';
import { ALL_RULES } from '../../../tools/validation/rules';
import { validateDirectory } from '../../../tools/validation/validate-directory';
import { tempDirsRemovedAfterAll } from '../../support/files';

const makeTempDir = tempDirsRemovedAfterAll();
const APPLICATION_FILE = 'argocd/production/addons.yaml';
const ORIGIN: AddonOrigin = { applications: [{ file: APPLICATION_FILE, name: 'demo' }] };

function object(environment: string, file: string, body: JsonObject): ManifestObject {
  const metadata = (body.metadata ?? {}) as JsonObject;
  return {
    environment,
    file,
    documentIndex: 0,
    apiVersion: String(body.apiVersion),
    kind: String(body.kind),
    name: String(metadata.name ?? ''),
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
    body,
  };
}

const addonObject = (body: JsonObject) => object('addon-demo', 'addon-demo/manifests.yaml', body);

const deployment = (containers: JsonObject[], initContainers: JsonObject[] = []): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'demo', namespace: 'demo' },
  spec: { selector: { matchLabels: { app: 'demo' } }, template: { metadata: { labels: { app: 'demo' } }, spec: { containers, initContainers } } },
});

const APPLICATION = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'demo', namespace: 'argocd' },
  spec: {
    project: 'platform-addons',
    source: { repoURL: 'https://charts.example.com', chart: 'demo', targetRevision: '1.0.0' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' },
  },
};
const PROJECT = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'platform-addons', namespace: 'argocd' },
  spec: {
    sourceRepos: ['https://charts.example.com'],
    destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'demo' }],
    clusterResourceWhitelist: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }],
    namespaceResourceBlacklist: [{ group: '', kind: 'ResourceQuota' }],
  },
};

function messages(rule: AddonRule, checked: ManifestObject, others: readonly ManifestObject[] = []): string[] {
  const argocd = [object('argocd', APPLICATION_FILE, APPLICATION), object('argocd', 'argocd/production/projects.yaml', PROJECT)];
  const folder = [checked, ...others, ...argocd];
  return rule.check(checked, new EnvironmentScope([checked, ...others], folder), ORIGIN).map((violation) => violation.message);
}

describe('ADDON-IMAGE-PINNED', () => {
  test('passes images with a version tag or a digest, and Always with an exact version or a digest', () => {
    const pinned = deployment(
      [
        { name: 'controller', image: 'quay.io/argoproj/argo-rollouts:v1.6.6', imagePullPolicy: 'Always' },
        { name: 'hook', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' },
        { name: 'digest', image: 'docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31', imagePullPolicy: 'Always' },
        { name: 'operator', image: 'quay.io/prometheus-operator/prometheus-operator:v0.72.0', args: ['--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.72.0', '--thanos-default-base-image=quay.io/thanos/thanos', '--namespace-label=app.kubernetes.io/name'] },
      ],
      [{ name: 'init', image: 'ghcr.io/cloudnative-pg/cloudnative-pg:1.22.5', env: [{ name: 'OPERATOR_IMAGE_NAME', value: 'ghcr.io/cloudnative-pg/cloudnative-pg:1.22.5' }] }],
    );
    expect(messages(ADDON_IMAGE_PINNED, addonObject(pinned))).toEqual([]);
  });

  test('fails :latest, untagged and moving images in containers, init containers, image-like args and env values', () => {
    const floating = deployment(
      [
        { name: 'controller', image: 'quay.io/argoproj/argo-rollouts:latest', imagePullPolicy: 'Always' },
        { name: 'gateway', image: 'docker.io/nginxinc/nginx-unprivileged:1.27-alpine', imagePullPolicy: 'Always', args: ['--sidecar=quay.io/kiwigrid/k8s-sidecar'] },
      ],
      [{ name: 'init', image: 'busybox', env: [{ name: 'POSTGRES_IMAGE_NAME', value: 'ghcr.io/cloudnative-pg/postgresql:latest' }] }],
    );
    expect(messages(ADDON_IMAGE_PINNED, addonObject(floating))).toEqual([
      'container "init" image "busybox" names no tag or digest, so the runtime pulls :latest',
      'container "init" env POSTGRES_IMAGE_NAME image "ghcr.io/cloudnative-pg/postgresql:latest" is :latest',
      'container "controller" image "quay.io/argoproj/argo-rollouts:latest" is :latest',
      'container "gateway" image "docker.io/nginxinc/nginx-unprivileged:1.27-alpine" is pulled Always by the tag 1.27-alpine, which names no exact version (x.y.z) and can move',
      'container "gateway" argument --sidecar image "quay.io/kiwigrid/k8s-sidecar" names no tag or digest, so the runtime pulls :latest',
    ]);
  });

  test('checks CronJob pods and the image fields of custom resources, not the schemas of CRDs', () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cleanup', namespace: 'demo' },
      spec: { schedule: '*/10 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'kubectl', image: 'bitnami/kubectl' }] } } } } },
    };
    expect(messages(ADDON_IMAGE_PINNED, addonObject(cronJob))).toEqual(['container "kubectl" image "bitnami/kubectl" names no tag or digest, so the runtime pulls :latest']);
    const prometheus = { apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'k8s', namespace: 'demo' }, spec: { image: 'quay.io/prometheus/prometheus' } };
    expect(messages(ADDON_IMAGE_PINNED, addonObject(prometheus))).toEqual(['image field image "quay.io/prometheus/prometheus" names no tag or digest, so the runtime pulls :latest']);
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x' }, spec: { versions: [{ schema: { openAPIV3Schema: { properties: { image: 'string' } } } }] } };
    expect(messages(ADDON_IMAGE_PINNED, addonObject(crd))).toEqual([]);
  });
});

describe('ADDON-PROJECT-PERMITS', () => {
  test('passes whitelisted cluster-scoped kinds and namespaced objects in a destination namespace (their own, or the Application\'s)', () => {
    expect(messages(ADDON_PROJECT_PERMITS, addonObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'demo' } }))).toEqual([]);
    expect(messages(ADDON_PROJECT_PERMITS, addonObject(deployment([])))).toEqual([]);
    expect(messages(ADDON_PROJECT_PERMITS, addonObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'no-namespace' } }))).toEqual([]);
  });

  test('fails a cluster-scoped kind the project does not list, a foreign namespace and a blacklisted kind', () => {
    expect(messages(ADDON_PROJECT_PERMITS, addonObject({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'demo' } }))).toEqual([
      `cluster-scoped kind admissionregistration.k8s.io/ValidatingWebhookConfiguration is not permitted by AppProject platform-addons of Application demo (${APPLICATION_FILE})`,
    ]);
    expect(messages(ADDON_PROJECT_PERMITS, addonObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubelet', namespace: 'kube-system' } }))).toEqual([
      `namespace kube-system is not among the destinations of AppProject platform-addons of Application demo (${APPLICATION_FILE})`,
    ]);
    expect(messages(ADDON_PROJECT_PERMITS, addonObject({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'demo', namespace: 'demo' } }))).toEqual([
      `namespaced kind ResourceQuota is not permitted by AppProject platform-addons of Application demo (${APPLICATION_FILE})`,
    ]);
  });

  test('takes the scope of a custom kind from its CRD in the folder', () => {
    const crd = object('addon-demo', 'addon-demo/manifests.yaml', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Widget' } },
    });
    expect(messages(ADDON_PROJECT_PERMITS, addonObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), [crd])).toEqual([
      `cluster-scoped kind example.com/Widget is not permitted by AppProject platform-addons of Application demo (${APPLICATION_FILE})`,
    ]);
  });

  test('fails when the Application that renders the add-on is not in the validated folder', () => {
    const checked = addonObject(deployment([]));
    const orphan = ADDON_PROJECT_PERMITS.check(checked, new EnvironmentScope([checked]), { applications: [{ file: 'argocd/staging/addons.yaml', name: 'gone' }] });
    expect(orphan.map((violation) => violation.message)).toEqual(['Application gone of argocd/staging/addons.yaml, which renders this add-on, is not in the validated folder']);
  });
});

describe('the gate over rendered add-ons', () => {
  const CRD = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
    },
  };
  const ADDON = [
    deployment([{ name: 'controller', image: 'example.com/controller:1.0.0', ports: [{ containerPort: 80, hostPort: 80 }] }]),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'demo', namespace: 'demo', annotations: null }, spec: { selector: { app: 'other' }, ports: [{ port: 80 }] } },
    { ...CRD },
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo' }, spec: { size: 3 } },
  ];

  function folder(addon: readonly JsonObject[], withOrigin = true): string {
    const dir = makeTempDir('addon-gate-');
    fs.mkdirSync(path.join(dir, 'argocd', 'production'), { recursive: true });
    fs.writeFileSync(path.join(dir, APPLICATION_FILE), stringify({ ...APPLICATION, spec: { ...APPLICATION.spec, project: 'platform-addons' } }));
    const project = { ...PROJECT, spec: { ...PROJECT.spec, clusterResourceWhitelist: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }] } };
    fs.writeFileSync(path.join(dir, 'argocd', 'production', 'projects.yaml'), stringify(project));
    fs.mkdirSync(path.join(dir, 'addon-demo'));
    fs.writeFileSync(path.join(dir, 'addon-demo', 'manifests.yaml'), addon.map((body) => stringify(body)).join('---\n'));
    if (withOrigin) {
      fs.writeFileSync(path.join(dir, 'addon-demo', ADDON_ORIGIN_FILE), JSON.stringify(ORIGIN));
    }
    return dir;
  }

  const addonFindings = async (dir: string) => (await validateDirectory(dir)).findings.filter((finding) => finding.environment === 'addon-demo').map((finding) => `${finding.ruleId} ${finding.object?.kind} ${finding.path ?? ''}`);

  test('checks third-party objects by schema (their own CRDs too, nulls left out), Argo CD annotations and ADDON-* only', async () => {
    expect(await addonFindings(folder(ADDON))).toEqual([]);
    const broken = [
      deployment([{ name: 'controller', image: 'example.com/controller:latest' }]),
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo', annotations: { 'argocd.argoproj.io/sync-wave': 'first' } }, spec: { size: 'three' } },
      { ...CRD },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubelet', namespace: 'kube-system' }, spec: { ports: [{ port: 10250 }] } },
    ];
    expect(await addonFindings(folder(broken))).toEqual([
      'ADDON-IMAGE-PINNED Deployment spec.template.spec.containers[0].image',
      'ARGOCD-SYNC-WAVE Widget metadata.annotations["argocd.argoproj.io/sync-wave"]',
      'SCHEMA-TYPE Widget spec.size',
      'ADDON-PROJECT-PERMITS Service kind',
    ]);
  });

  test('without addon-origin.json the same objects are the platform\'s and meet every rule', async () => {
    const findings = await addonFindings(folder(ADDON, false));
    expect(findings).toEqual(expect.arrayContaining(['PSS-RESTRICTED-HOST-PORTS Deployment spec.template.spec.containers[0].ports[0].hostPort', 'SCHEMA-TYPE Service metadata.annotations', 'SCHEMA-NO-SCHEMA Widget kind']));
  });
});

describe('which rules check rendered add-ons', () => {
  test('every rule the gate has is decided, none silently skipped', () => {
    expect(undecidedRules(ALL_RULES)).toEqual([]);
  });

  test('docs/validation-rules.md states every decision with its reason', () => {
    const docs = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'validation-rules.md'), 'utf8');
    expect(THIRD_PARTY_DECISIONS.map(thirdPartyDecisionRow).filter((row) => !docs.includes(row))).toEqual([]);
  });
});
