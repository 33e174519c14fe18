import { globToRegExp, jsonPatchProblem, normalizeRepositoryUrl } from '../../../tools/validation/cross-references/argocd-references';
import { validateDirectory } from '../../../tools/validation/validate-directory';
import { parseManifestFile } from '../../../tools/validation/load-manifests';
import { validateObjects } from '../../../tools/validation/validate-directory';
import {
  allowIngressNetworkPolicy,
  application,
  ARGOCD_NAMESPACE,
  clusterAnalysisTemplate,
  compliantPlatform,
  deployment,
  ingress,
  jobAnalysisTemplate,
  K8sObject,
  REPOSITORY_URL,
  ROLLOUTS_API_VERSION,
  scaledObject,
  secureContainer,
} from './support/builders';
import { at, CLUSTER_BASELINE_FILE, findingsOf, folderWith, KUSTOMIZATION, objectNamed, ruleIdsOf, splitArgoCd, toYaml } from './support/platform-fixtures';
import { ALL_CASES } from './support/rule-cases';

/** The compliant platform with `web` converted from a Deployment into an Argo Rollout (canary without traffic routing). */
function withWebAsRollout(): K8sObject[] {
  const objects = compliantPlatform();
  const web = objectNamed(objects, 'Deployment', 'web');
  web.apiVersion = ROLLOUTS_API_VERSION;
  web.kind = 'Rollout';
  (web.spec as K8sObject).strategy = { canary: { maxSurge: '25%', maxUnavailable: 0, steps: [{ setWeight: 50 }, { pause: { duration: '1m' } }] } };
  at(objectNamed(objects, 'HorizontalPodAutoscaler', 'web'), 'spec').scaleTargetRef = { apiVersion: ROLLOUTS_API_VERSION, kind: 'Rollout', name: 'web' };
  return objects;
}

/** The compliant platform with the `site` Rollout borrowing the template of a Deployment `site-template` via workloadRef. */
function withSiteWorkloadRef(replicas: number | 'unset' = 0): K8sObject[] {
  const objects = compliantPlatform();
  const site = objectNamed(objects, 'Rollout', 'site');
  const spec = site.spec as K8sObject;
  const template = deployment('site', secureContainer('site'));
  (template.metadata as K8sObject).name = 'site-template';
  const templateSpec = template.spec as K8sObject;
  templateSpec.template = spec.template;
  if (replicas !== 'unset') {
    templateSpec.replicas = replicas;
  }
  delete spec.template;
  spec.workloadRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'site-template' };
  return [...objects, template];
}

async function ruleIds(objects: K8sObject[]): Promise<string[]> {
  return ruleIdsOf(await findingsOf(objects));
}

describe('an Argo Rollout is checked exactly like a Deployment', () => {
  test('the platform with web as a Rollout passes', async () => {
    expect(await findingsOf(withWebAsRollout())).toEqual([]);
  });

  test.each(ALL_CASES)('$ruleId reports $breaks with web as a Rollout', async ({ ruleId, mutate }) => {
    const objects = withWebAsRollout();
    mutate(objects);
    expect(await ruleIds(objects)).toContain(ruleId);
  });

  test('an HPA must name the Rollout by its argoproj.io apiVersion; a ScaledObject too (KEDA defaults to apps/v1)', async () => {
    const wrongHpa = withWebAsRollout();
    at(objectNamed(wrongHpa, 'HorizontalPodAutoscaler', 'web'), 'spec', 'scaleTargetRef').apiVersion = 'apps/v1';
    expect(await ruleIds(wrongHpa)).toEqual(['XREF-HPA-TARGET']);

    const keda = withWebAsRollout().filter((object) => object.kind !== 'HorizontalPodAutoscaler');
    const scaler = scaledObject('web');
    keda.push(scaler);
    (scaler.spec as K8sObject).scaleTargetRef = { kind: 'Rollout', name: 'web' };
    expect(await ruleIds(keda)).toEqual(['XREF-SCALEDOBJECT-TARGET']);
    (scaler.spec as K8sObject).scaleTargetRef = { apiVersion: ROLLOUTS_API_VERSION, kind: 'Rollout', name: 'web' };
    expect(await ruleIds(keda)).toEqual([]);
    at(objectNamed(keda, 'Rollout', 'web'), 'spec').replicas = 2;
    expect(await ruleIds(keda)).toEqual(['KUBE-SCORE-HPA-TARGET-HAS-NO-REPLICAS']);
  });
});

describe('an Argo Rollout with spec.workloadRef', () => {
  test('resolves to the referenced Deployment, scaled to 0, and passes', async () => {
    expect(await findingsOf(withSiteWorkloadRef())).toEqual([]);
  });

  test('is reported when the Deployment still runs pods, or the Rollout also declares a template', async () => {
    expect(await ruleIds(withSiteWorkloadRef('unset'))).toEqual(['XREF-ROLLOUT-WORKLOAD-REF']);
    const both = withSiteWorkloadRef();
    at(objectNamed(both, 'Rollout', 'site'), 'spec').template = at(objectNamed(both, 'Deployment', 'site-template'), 'spec', 'template');
    expect(await ruleIds(both)).toEqual(['XREF-ROLLOUT-WORKLOAD-REF']);
  });

  test('checks the borrowed template against the Rollout: selector, spreading, disruption budget, revision label', async () => {
    const unspread = withSiteWorkloadRef();
    delete at(objectNamed(unspread, 'Deployment', 'site-template'), 'spec', 'template', 'spec').topologySpreadConstraints;
    expect(await ruleIds(unspread)).toEqual(['KUBE-LINTER-NO-ANTI-AFFINITY']);

    const mismatched = withSiteWorkloadRef();
    at(objectNamed(mismatched, 'Rollout', 'site'), 'spec', 'selector').matchLabels = { 'app.kubernetes.io/name': 'other' };
    expect(await ruleIds(mismatched)).toEqual(['KUBE-LINTER-MISMATCHING-SELECTOR']);

    const unbudgeted = withSiteWorkloadRef().filter((object) => !(object.kind === 'PodDisruptionBudget' && (object.metadata as K8sObject).name === 'site'));
    expect(await ruleIds(unbudgeted)).toEqual(['KUBE-SCORE-WORKLOAD-HAS-PDB']);

    const deploymentHash = withSiteWorkloadRef();
    at(objectNamed(deploymentHash, 'Deployment', 'site-template'), 'spec', 'template', 'spec', 'topologySpreadConstraints', 0).matchLabelKeys = ['pod-template-hash'];
    expect(await ruleIds(deploymentHash)).toEqual(['XREF-TOPOLOGY-MATCH-LABEL-KEYS']);
  });

  test('a Deployment spreading by rollouts-pod-template-hash is reported', async () => {
    const objects = compliantPlatform();
    at(objectNamed(objects, 'Deployment', 'web'), 'spec', 'template', 'spec', 'topologySpreadConstraints', 0).matchLabelKeys = ['rollouts-pod-template-hash'];
    expect(await ruleIds(objects)).toEqual(['XREF-TOPOLOGY-MATCH-LABEL-KEYS']);
  });
});

describe('pods of AnalysisTemplate job metrics', () => {
  const jobPod = (objects: K8sObject[], kind = 'AnalysisTemplate', name = 'smoke-test') => at(objectNamed(objects, kind, name), 'spec', 'metrics', 0, 'provider', 'job', 'spec', 'template', 'spec');

  test('meet the pod rules and resolve their references in the namespace', async () => {
    const privileged = compliantPlatform();
    at(jobPod(privileged), 'containers', 0, 'securityContext').privileged = true;
    expect(await ruleIds(privileged)).toEqual(['PSS-RESTRICTED-PRIVILEGED']);
    const pullPolicy = compliantPlatform();
    at(jobPod(pullPolicy), 'containers', 0).imagePullPolicy = 'IfNotPresent';
    expect(await ruleIds(pullPolicy)).toEqual(['KUBE-SCORE-CONTAINER-IMAGE-PULL-POLICY']);
    const unknownAccount = compliantPlatform().filter((object) => !(object.kind === 'ServiceAccount' && (object.metadata as K8sObject).name === 'smoke-test'));
    expect(await ruleIds(unknownAccount)).toEqual(['XREF-SERVICE-ACCOUNT']);
  });

  test('are pods a NetworkPolicy may select', async () => {
    const objects = compliantPlatform();
    objects.push(allowIngressNetworkPolicy('smoke-test'));
    expect(await ruleIds(objects)).toEqual([]);
  });

  test("of a ClusterAnalysisTemplate meet the pod rules, but their namespace's references are not looked up", async () => {
    const objects = compliantPlatform().filter((object) => object.kind !== 'ClusterAnalysisTemplate');
    const cluster = jobAnalysisTemplate('cluster-smoke-test', 'runs-elsewhere');
    cluster.kind = 'ClusterAnalysisTemplate';
    delete (cluster.metadata as K8sObject).namespace;
    objects.push(cluster, clusterAnalysisTemplate('error-budget'));
    expect(await ruleIds(objects)).toEqual([]);
    at(jobPod(objects, 'ClusterAnalysisTemplate', 'cluster-smoke-test'), 'containers', 0, 'securityContext').allowPrivilegeEscalation = true;
    expect(await ruleIds(objects)).toEqual(['PSS-RESTRICTED-PRIVILEGE-ESCALATION']);
  });
});

describe('Argo Rollouts cross-references', () => {
  test('Services must be distinct and select the Rollout; traffic routing needs both canary Services', async () => {
    const same = compliantPlatform();
    at(objectNamed(same, 'Rollout', 'api'), 'spec', 'strategy', 'blueGreen').previewService = 'api';
    expect(await ruleIds(same)).toEqual(['XREF-ROLLOUT-SERVICE']);

    const foreign = compliantPlatform();
    at(objectNamed(foreign, 'Rollout', 'api'), 'spec', 'strategy', 'blueGreen').previewService = 'web';
    expect(await ruleIds(foreign)).toEqual(['XREF-ROLLOUT-SERVICE']);

    const noCanaryService = compliantPlatform();
    delete at(objectNamed(noCanaryService, 'Rollout', 'site'), 'spec', 'strategy', 'canary').canaryService;
    expect(await ruleIds(noCanaryService)).toEqual(['XREF-ROLLOUT-SERVICE']);
  });

  test('the stable Ingress must route to the stable Service', async () => {
    const objects = compliantPlatform();
    at(objectNamed(objects, 'Ingress', 'site'), 'spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service').name = 'site-canary';
    expect(await ruleIds(objects)).toEqual(['XREF-ROLLOUT-INGRESS']);
  });

  test('every Ingress on the stable Service is in the traffic routing, in stableIngresses alone when there are several', async () => {
    const withSecondIngress = () => {
      const objects = compliantPlatform();
      const second = ingress('site', 'site-tls');
      (second.metadata as K8sObject).name = 'site-public';
      objects.push(second);
      return objects;
    };
    const nginx = (objects: K8sObject[]) => at(objectNamed(objects, 'Rollout', 'site'), 'spec', 'strategy', 'canary', 'trafficRouting', 'nginx');
    const messages = async (objects: K8sObject[]) => (await findingsOf(objects)).map((finding) => `${finding.ruleId}: ${finding.message}`);

    expect(await messages(withSecondIngress())).toEqual([
      'XREF-ROLLOUT-INGRESS: Ingress site-public routes to the stable Service site but is not in the traffic routing, so during a canary all of its traffic stays on the stable version',
    ]);

    const listed = withSecondIngress();
    delete nginx(listed).stableIngress;
    nginx(listed).stableIngresses = ['site', 'site-public'];
    expect(await ruleIds(listed)).toEqual([]);

    const both = withSecondIngress();
    nginx(both).stableIngresses = ['site', 'site-public'];
    expect(await messages(both)).toEqual([
      'XREF-ROLLOUT-INGRESS: stableIngress and stableIngresses are both set; Argo Rollouts ignores stableIngress, so list that Ingress in stableIngresses',
    ]);
  });

  test('clusterScope decides between AnalysisTemplate and ClusterAnalysisTemplate; template defaults need no arg', async () => {
    const namespaced = compliantPlatform();
    delete at(objectNamed(namespaced, 'Rollout', 'site'), 'spec', 'strategy', 'canary', 'analysis', 'templates', 0).clusterScope;
    expect(await ruleIds(namespaced)).toEqual(['XREF-ROLLOUT-ANALYSIS-TEMPLATE']);

    const clustered = compliantPlatform();
    at(objectNamed(clustered, 'Rollout', 'site'), 'spec', 'strategy', 'canary', 'steps', 2, 'analysis', 'templates', 0).clusterScope = true;
    expect(await ruleIds(clustered)).toEqual(['XREF-ROLLOUT-ANALYSIS-TEMPLATE']);
  });

  test('experiment analyses and post-promotion analyses are resolved too', async () => {
    const objects = compliantPlatform();
    const canary = at(objectNamed(objects, 'Rollout', 'site'), 'spec', 'strategy', 'canary');
    (canary.steps as K8sObject[]).push({
      experiment: { duration: '5m', templates: [{ name: 'baseline', specRef: 'stable' }], analyses: [{ name: 'rate', templateName: 'success-rate', args: [{ name: 'service-name', value: 'site' }] }] },
    });
    at(objectNamed(objects, 'Rollout', 'api'), 'spec', 'strategy', 'blueGreen').postPromotionAnalysis = { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'api' }] };
    expect(await ruleIds(objects)).toEqual([]);
    at(canary, 'steps', 4, 'experiment', 'analyses', 0).templateName = 'succes-rate';
    expect(await ruleIds(objects)).toEqual(['XREF-ROLLOUT-ANALYSIS-TEMPLATE']);
  });

  test('an AnalysisTemplate arg read from a Secret must be produced', async () => {
    const objects = compliantPlatform();
    (at(objectNamed(objects, 'AnalysisTemplate', 'success-rate'), 'spec').args as K8sObject[]).push({ name: 'api-token', valueFrom: { secretKeyRef: { name: 'prometheus-token', key: 'token' } } });
    expect(await ruleIds(objects)).toEqual(['XREF-OPERATOR-SECRET']);
  });
});

/**
 * Validates objects laid out in the given files (relative path → objects), with the cluster's
 * baseline beside them: the cluster-scoped objects in their folder, and next to every Application
 * the cluster baseline's project and Application that sync them first.
 */
async function ruleIdsOfFiles(files: Record<string, K8sObject[]>): Promise<string[]> {
  const { clusterScoped, argoCd } = splitArgoCd(compliantPlatform());
  const baseline = argoCd.filter((object) => ['platform-cluster-baseline', 'cluster-baseline'].includes(String((object.metadata as K8sObject).name)));
  const withBaseline: Record<string, K8sObject[]> = { [CLUSTER_BASELINE_FILE]: clusterScoped };
  for (const [file, contents] of Object.entries(files)) {
    const hasApplication = contents.some((object) => object.kind === 'Application' || object.kind === 'ApplicationSet');
    withBaseline[file] = file.startsWith('argocd/') && hasApplication ? [...contents, ...baseline] : contents;
  }
  const objects = Object.entries(withBaseline).flatMap(([file, contents]) => parseManifestFile(file, toYaml(contents)));
  return ruleIdsOf((await validateObjects(objects)).findings);
}

/**
 * The environment's project as the compliant platform renders it (the namespaced kinds of its
 * folder), with only the environment's own namespace: these cases have no preview ApplicationSet.
 */
function environmentProject(): K8sObject {
  const project = structuredClone(objectNamed(compliantPlatform(), 'AppProject', 'generator-platform'));
  at(project, 'spec').destinations = [{ server: 'https://kubernetes.default.svc', namespace: 'generator-platform' }];
  return project;
}

describe('Argo CD cross-references', () => {
  const platform = splitArgoCd(compliantPlatform()).platform;
  const project = environmentProject;
  const app = (folder = 'production') => application(`generator-platform-${folder}`, folder, 'generator-platform');

  test('per-cluster folders: the project must be rendered in the Application folder or a parent', async () => {
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/production/apps.yaml': [project(), app()] })).toEqual([]);
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/projects.yaml': [project()], 'argocd/production/apps.yaml': [app()] })).toEqual([]);
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/staging/projects.yaml': [project()], 'argocd/production/apps.yaml': [app()] })).toEqual(['XREF-APPLICATION-PROJECT']);
  });

  test('paths are normalised; a folder with YAML only in subfolders needs directory.recurse', async () => {
    const normalised = app();
    at(normalised, 'spec', 'source').path = './dist/production/';
    expect(await ruleIdsOfFiles({ 'production/web/platform.yaml': platform, 'argocd/apps.yaml': [project(), normalised] })).toEqual(['XREF-APPLICATION-PATH']);
    at(normalised, 'spec', 'source').directory = { recurse: true };
    expect(await ruleIdsOfFiles({ 'production/web/platform.yaml': platform, 'argocd/apps.yaml': [project(), normalised] })).toEqual([]);
    // The repository is known from the other Application, whose path is under dist/.
    at(normalised, 'spec', 'source').path = 'dist/../charts';
    expect(await ruleIdsOfFiles({ 'production/web/platform.yaml': platform, 'argocd/apps.yaml': [project(), normalised, { ...app(), metadata: { ...(app().metadata as K8sObject), name: 'other' } }] })).toEqual(['XREF-APPLICATION-PATH']);
  });

  test('sources[]: another repository is not path-checked, but must be among sourceRepos', async () => {
    const multi = app();
    const spec = multi.spec as K8sObject;
    spec.sources = [spec.source, { repoURL: 'https://charts.example.com', chart: 'ingress-nginx', targetRevision: '4.10.0' }];
    delete spec.source;
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [project(), multi] })).toEqual(['XREF-APPLICATION-SOURCE-REPO']);
    const permissive = project();
    (at(permissive, 'spec').sourceRepos as string[]).push('https://charts.example.com');
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [permissive, multi] })).toEqual([]);
  });

  test('a project in another namespace must list the Application namespace in sourceNamespaces', async () => {
    const elsewhere = app();
    (elsewhere.metadata as K8sObject).namespace = 'team-apps';
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [project(), elsewhere] })).toEqual(['XREF-APPLICATION-PROJECT']);
    const withSources = project();
    at(withSources, 'spec').sourceNamespaces = ['team-*'];
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [withSources, elsewhere] })).toEqual([]);
  });

  test('destinations follow Argo CD: globs, and deny entries win', async () => {
    const globbed = project();
    at(globbed, 'spec').destinations = [{ server: '*', namespace: 'generator-*' }];
    // Argo CD permits it; the environment's project must not hand out a pattern, though.
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [globbed, app()] })).toEqual(['ARGOCD-TENANT-PROJECT']);
    at(globbed, 'spec').destinations = [
      { server: '*', namespace: '*' },
      { server: '*', namespace: '!generator-platform' },
    ];
    // The synced objects live in that namespace too, so each is refused as well.
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [globbed, app()] })).toEqual(['ARGOCD-TENANT-PROJECT', 'XREF-APPLICATION-DESTINATION', 'XREF-APPLICATION-RESOURCES']);
  });

  test('booleans Argo CD drops when false (omitempty) are reported only when written as false', async () => {
    const cases: ReadonlyArray<readonly [(application: any) => void, string[]]> = [
      [(a) => (at(a, 'spec').syncPolicy = { automated: { prune: true, selfHeal: true } }), []],
      [(a) => (at(a, 'spec').syncPolicy = { automated: { selfHeal: true } }), []],
      [(a) => (at(a, 'spec').syncPolicy = { automated: { prune: false, selfHeal: true } }), ['ARGOCD-DROPPED-FALSE']],
      [(a) => (at(a, 'spec').syncPolicy = { automated: { selfHeal: false } }), ['ARGOCD-DROPPED-FALSE']],
      [(a) => (at(a, 'spec', 'source').directory = { recurse: true }), []],
      [(a) => (at(a, 'spec', 'source').directory = { recurse: false }), ['ARGOCD-DROPPED-FALSE']],
    ];
    for (const [change, expected] of cases) {
      const application = app();
      change(application);
      expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [project(), application] })).toEqual(expected);
    }
  });

  test('an ExternalSecret written anywhere in an add-on\'s Helm values needs its store from an earlier wave', async () => {
    const addon = (wave: string, values: K8sObject) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'grafana', namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': wave } },
      spec: {
        project: 'generator-platform',
        source: { repoURL: 'https://grafana.github.io/helm-charts', chart: 'grafana', targetRevision: '7.3.7', helm: { valuesObject: values } },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'generator-platform' },
      },
    });
    const externalSecret = { apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 'grafana-admin' }, spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' } } };
    const withChartRepository = () => {
      const permissive = project();
      (at(permissive, 'spec').sourceRepos as string[]).push('https://grafana.github.io/helm-charts');
      return permissive;
    };
    // The cluster baseline brings the store in wave -1: in wave 0 the add-on is fine, in wave -2 it would wait for ever.
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [withChartRepository(), app(), addon('0', { grafana: { extraObjects: [externalSecret] } })] })).toEqual([]);
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [withChartRepository(), app(), addon('-2', { grafana: { extraObjects: [externalSecret] } })] })).toEqual(['ARGOCD-WAVE-ORDER']);
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [withChartRepository(), app(), addon('-2', { extraManifests: [externalSecret] })] })).toEqual(['ARGOCD-WAVE-ORDER']);
  });

  test('sync waves: signed integers pass, anything else is reported', async () => {
    // The cluster baseline, which makes the environment's namespace, syncs in wave -1: an environment in it or before it waits for ever.
    for (const [wave, expected] of [['0', []], ['+2', []], ['10', []], ['-1', ['ARGOCD-WAVE-ORDER']], ['1.5', ['ARGOCD-SYNC-WAVE']], ['', ['ARGOCD-SYNC-WAVE']], ['one', ['ARGOCD-SYNC-WAVE']]] as const) {
      const waved = app();
      at(waved, 'metadata', 'annotations')['argocd.argoproj.io/sync-wave'] = wave;
      expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [project(), waved] })).toEqual(expected);
    }
  });

  test.each([
    [{ 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' }, []],
    [{ 'argocd.argoproj.io/hook': 'PostSync,SyncFail', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded, BeforeHookCreation' }, []],
    [{ 'argocd.argoproj.io/hook': 'postsync' }, ['ARGOCD-SYNC-HOOK']],
    [{ 'argocd.argoproj.io/sync-options': 'Prune=false,Validate=false' }, []],
    [{ 'argocd.argoproj.io/sync-options': 'Prune=no' }, ['ARGOCD-SYNC-OPTIONS']],
    [{ 'argocd.argoproj.io/sync-options': 'ServerSideApply' }, ['ARGOCD-SYNC-OPTIONS']],
  ])('hook and sync-option annotations %j', async (annotations, expected) => {
    const objects = compliantPlatform();
    (objectNamed(objects, 'CronJob', 'reports').metadata as K8sObject).annotations = annotations;
    expect(await ruleIds(objects)).toEqual(expected);
  });

  test('sync-wave order: earlier or same waves pass, hooks and optional references are exempt', async () => {
    const waves = (objects: K8sObject[], kind: string, name: string, annotations: Record<string, string>) => ((objectNamed(objects, kind, name).metadata as K8sObject).annotations = annotations);
    const ordered = compliantPlatform();
    waves(ordered, 'ExternalSecret', 'web-database', { 'argocd.argoproj.io/sync-wave': '-1' });
    waves(ordered, 'Deployment', 'web', { 'argocd.argoproj.io/sync-wave': '2' });
    expect(await ruleIds(ordered)).toEqual([]);
    const late = compliantPlatform();
    waves(late, 'ServiceAccount', 'api', { 'argocd.argoproj.io/sync-wave': '5' });
    expect(await ruleIds(late)).toEqual(['ARGOCD-SYNC-WAVE-ORDER']);
    waves(late, 'Rollout', 'api', { 'argocd.argoproj.io/hook': 'PostSync' });
    expect(await ruleIds(late)).toEqual([]);
  });

  test('a sync wave on any object is checked', async () => {
    const objects = compliantPlatform();
    (objectNamed(objects, 'ConfigMap', 'web-config').metadata as K8sObject).annotations = { 'argocd.argoproj.io/sync-wave': 'late' };
    expect(await ruleIds(objects)).toEqual(['ARGOCD-SYNC-WAVE']);
  });

  test('an ApplicationSet template must name a rendered project', async () => {
    const objects = compliantPlatform();
    at(objectNamed(objects, 'ApplicationSet', 'generator-platform-previews'), 'spec', 'template', 'spec').project = 'previews';
    // The environment's project then allows the preview namespaces to no Application of its own.
    expect(await ruleIds(objects)).toEqual(['ARGOCD-TENANT-PROJECT', 'XREF-APPLICATION-PROJECT']);
  });

  test('repository URLs are normalised as Argo CD does, and globs follow gobwas/glob', () => {
    expect(normalizeRepositoryUrl(' HTTPS://GitHub.com/Acme/Generator-Platform-K8s.git ')).toBe('https://github.com/acme/generator-platform-k8s');
    expect(normalizeRepositoryUrl('git@github.com:acme/repo.git')).toBe(normalizeRepositoryUrl('ssh://git@github.com/acme/repo'));
    expect(normalizeRepositoryUrl(REPOSITORY_URL)).toBe('https://github.com/acme/generator-platform-k8s');
    expect(globToRegExp('https://github.com/acme/*', '/').test('https://github.com/acme/repo')).toBe(true);
    expect(globToRegExp('https://github.com/acme/*', '/').test('https://github.com/acme/team/repo')).toBe(false);
    expect(globToRegExp('https://github.com/**').test('https://github.com/acme/team/repo')).toBe(true);
    expect(globToRegExp('generator-{platform,previews}').test('generator-previews')).toBe(true);
    expect(globToRegExp('ns-?').test('ns-12')).toBe(false);
  });
});

describe('cluster-scoped kinds', () => {
  test('a Kyverno ClusterPolicy and a ClusterAnalysisTemplate without namespace draw no finding', async () => {
    const objects = compliantPlatform().filter((object) => ['ClusterPolicy', 'ClusterAnalysisTemplate', 'Namespace'].includes(String(object.kind)));
    expect(await findingsOf(objects)).toEqual([]);
  });

  test('Argo CD objects alone (no environment folder) report only the missing path', async () => {
    const objects = [environmentProject(), application('generator-platform-production', 'production', 'generator-platform')];
    expect((objects[0].metadata as K8sObject).namespace).toBe(ARGOCD_NAMESPACE);
    expect(await ruleIdsOfFiles({ 'argocd/apps.yaml': objects })).toEqual(['XREF-APPLICATION-PATH']);
  });
});

describe('Argo CD kustomize sources', () => {
  const { platform, argoCd, clusterScoped } = splitArgoCd(compliantPlatform());
  const folder = (files: Record<string, string>) => folderWith({ 'production/platform.yaml': toYaml(platform), 'argocd/apps.yaml': toYaml(argoCd), [CLUSTER_BASELINE_FILE]: toYaml(clusterScoped), ...files });
  const ruleIdsIn = async (dir: string) => ruleIdsOf((await validateDirectory(dir)).findings);

  test('a kustomization is build input: not validated as an object, and its resources are what Argo CD syncs', async () => {
    expect(await ruleIdsIn(folder({ 'production/kustomization.yaml': KUSTOMIZATION }))).toEqual([]);
    expect(await ruleIdsIn(folder({ 'production/Kustomization': KUSTOMIZATION }))).toEqual([]);
  });

  test('a kustomize source needs a kustomization, listing files that exist and every file of the folder', async () => {
    expect(await ruleIdsIn(folder({}))).toEqual(['XREF-APPLICATION-PATH']);
    expect(await ruleIdsIn(folder({ 'production/kustomization.yaml': `${KUSTOMIZATION}  - web.yaml\n` }))).toEqual(['XREF-APPLICATION-PATH']);
    expect(await ruleIdsIn(folder({ 'production/kustomization.yaml': KUSTOMIZATION, 'production/extra.yaml': toYaml([objectNamed(platform, 'ConfigMap', 'web-config')].map((object) => ({ ...object, metadata: { ...(object.metadata as K8sObject), name: 'extra' } }))) }))).toEqual([
      'XREF-APPLICATION-PATH',
    ]);
  });

  test('a patch aimed at the Deployment a Rollout replaced selects nothing', async () => {
    const objects = compliantPlatform();
    const set = objectNamed(objects, 'ApplicationSet', 'generator-platform-previews');
    (at(set, 'spec', 'template', 'spec', 'source', 'kustomize').patches as K8sObject[]).push({
      target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'site' },
      patch: JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'x' }]),
    });
    expect(await ruleIds(objects)).toEqual(['XREF-APPLICATION-KUSTOMIZE']);
    at(set, 'spec', 'template', 'spec', 'source', 'kustomize', 'patches', 1, 'target').group = 'argoproj.io';
    at(set, 'spec', 'template', 'spec', 'source', 'kustomize', 'patches', 1, 'target').version = 'v1alpha1';
    at(set, 'spec', 'template', 'spec', 'source', 'kustomize', 'patches', 1, 'target').kind = 'Rollout';
    expect(await ruleIds(objects)).toEqual([]);
  });

  test('an image no container runs is reported', async () => {
    const objects = compliantPlatform();
    (at(objectNamed(objects, 'ApplicationSet', 'generator-platform-previews'), 'spec', 'template', 'spec', 'source', 'kustomize').images as string[]).push('ghcr.io/acme/generator-platform-website:pr-1');
    expect(await ruleIds(objects)).toEqual(['XREF-APPLICATION-KUSTOMIZE']);
  });

  test('JSON-patch operations are applied in order, as kustomize does', () => {
    const document = { spec: { rules: [{ host: 'a' }] } };
    expect(jsonPatchProblem(document, [{ op: 'test', path: '/spec/rules/0/host', value: 'a' }, { op: 'replace', path: '/spec/rules/0/host', value: 'b' }, { op: 'test', path: '/spec/rules/0/host', value: 'b' }])).toBeUndefined();
    expect(jsonPatchProblem(document, [{ op: 'replace', path: '/spec/rules/1/host', value: 'b' }])).toMatch(/path does not exist/);
    expect(jsonPatchProblem(document, [{ op: 'add', path: '/spec/tls/0', value: {} }])).toMatch(/parent of the path does not exist/);
    expect(jsonPatchProblem(document, [{ op: 'add', path: '/spec/rules/-', value: { host: 'c' } }, { op: 'test', path: '/spec/rules/1/host', value: 'c' }])).toBeUndefined();
    expect(document.spec.rules).toHaveLength(1);
  });
});

describe('Argo CD project resource restrictions', () => {
  const platform = splitArgoCd(compliantPlatform()).platform;
  const app = () => application('generator-platform-production', 'production', 'generator-platform');

  test('an empty namespaceResourceWhitelist permits nothing; an absent one everything not blacklisted', async () => {
    // An environment's project without a whitelist is a tenancy finding of its own, whatever Argo CD permits.
    const empty = environmentProject();
    at(empty, 'spec').namespaceResourceWhitelist = [];
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [empty, app()] })).toEqual(['ARGOCD-TENANT-PROJECT', 'XREF-APPLICATION-RESOURCES']);
    const rbac = environmentProject();
    delete at(rbac, 'spec').namespaceResourceWhitelist;
    at(rbac, 'spec').namespaceResourceBlacklist = [{ group: 'rbac.authorization.k8s.io', kind: 'Role*' }];
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [rbac, app()] })).toEqual(['ARGOCD-TENANT-PROJECT', 'XREF-APPLICATION-RESOURCES']);
    const blacklistOnly = environmentProject();
    delete at(blacklistOnly, 'spec').namespaceResourceWhitelist;
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [blacklistOnly, app()] })).toEqual(['ARGOCD-TENANT-PROJECT']);
    expect(await ruleIdsOfFiles({ 'production/platform.yaml': platform, 'argocd/apps.yaml': [environmentProject(), app()] })).toEqual([]);
  });
});
