import { K8sObject, meta } from './builders';
import { at, firstContainerOf, objectNamed, podSpecOf } from './platform-fixtures';

/** One way to break the compliant platform so that exactly the named rule must report it. */
export interface RuleCase {
  readonly ruleId: string;
  /** What the mutation breaks, in words. */
  readonly breaks: string;
  readonly mutate: (objects: K8sObject[]) => void;
}

/** The `web` workload: a Deployment in the compliant platform, an Argo Rollout in `withWebAsRollout`. */
const webDeployment = (objects: K8sObject[]) => objects.find((object) => object.kind === 'Rollout' && (object.metadata as K8sObject).name === 'web') ?? objectNamed(objects, 'Deployment', 'web');
const webPod = (objects: K8sObject[]) => podSpecOf(webDeployment(objects));
const webContainer = (objects: K8sObject[]) => firstContainerOf(webDeployment(objects));
const webSecurityContext = (objects: K8sObject[]) => at(webContainer(objects), 'securityContext');
const webPodSecurityContext = (objects: K8sObject[]) => at(webPod(objects), 'securityContext');
const webService = (objects: K8sObject[]) => at(objectNamed(objects, 'Service', 'web'), 'spec');
const webBudget = (objects: K8sObject[]) => at(objectNamed(objects, 'PodDisruptionBudget', 'web'), 'spec');
const nothing = { 'app.kubernetes.io/name': 'nothing' };

export const SCHEMA_CASES: readonly RuleCase[] = [
  { ruleId: 'SCHEMA-NO-SCHEMA', breaks: 'an object of a kind no pinned schema defines', mutate: (objects) => objects.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('widget') }) },
  { ruleId: 'SCHEMA-UNKNOWN-FIELD', breaks: 'an unknown field deep in a pod spec', mutate: (objects) => (webSecurityContext(objects).runAsRoot = false) },
  { ruleId: 'SCHEMA-TYPE', breaks: 'a string where an integer belongs', mutate: (objects) => (at(webContainer(objects), 'ports', 0).containerPort = '3000') },
  { ruleId: 'SCHEMA-REQUIRED', breaks: 'a Service port without its port number', mutate: (objects) => delete at(webService(objects), 'ports', 0).port },
  { ruleId: 'SCHEMA-ENUM', breaks: 'a Certificate key algorithm outside its enum', mutate: (objects) => (at(objectNamed(objects, 'Certificate', 'web-tls'), 'spec').privateKey = { algorithm: 'DSA' }) },
  { ruleId: 'SCHEMA-CONSTRAINT', breaks: 'an int32 field beyond its range', mutate: (objects) => (at(objectNamed(objects, 'HorizontalPodAutoscaler', 'web'), 'spec').maxReplicas = 3_000_000_000) },
];

export const POD_SECURITY_CASES: readonly RuleCase[] = [
  { ruleId: 'PSS-RESTRICTED-HOST-PROCESS', breaks: 'a Windows HostProcess pod', mutate: (objects) => (webPodSecurityContext(objects).windowsOptions = { hostProcess: true }) },
  { ruleId: 'PSS-RESTRICTED-HOST-NAMESPACES', breaks: 'a pod on the host network', mutate: (objects) => (webPod(objects).hostNetwork = true) },
  { ruleId: 'PSS-RESTRICTED-PRIVILEGED', breaks: 'a privileged container', mutate: (objects) => (webSecurityContext(objects).privileged = true) },
  { ruleId: 'PSS-RESTRICTED-CAPABILITIES', breaks: 'a container adding NET_ADMIN', mutate: (objects) => (at(webSecurityContext(objects), 'capabilities').add = ['NET_ADMIN']) },
  { ruleId: 'PSS-RESTRICTED-HOST-PATH', breaks: 'a hostPath volume', mutate: (objects) => (webPod(objects).volumes as K8sObject[]).push({ name: 'host', hostPath: { path: '/var/run' } }) },
  { ruleId: 'PSS-RESTRICTED-VOLUME-TYPES', breaks: 'an NFS volume', mutate: (objects) => (webPod(objects).volumes as K8sObject[]).push({ name: 'shared', nfs: { server: 'nfs.example.com', path: '/' } }) },
  { ruleId: 'PSS-RESTRICTED-HOST-PORTS', breaks: 'a container port bound on the host', mutate: (objects) => (at(webContainer(objects), 'ports', 0).hostPort = 3000) },
  {
    ruleId: 'PSS-RESTRICTED-APPARMOR',
    breaks: 'an unconfined AppArmor profile',
    mutate: (objects) => (at(webDeployment(objects), 'spec', 'template', 'metadata').annotations = { 'container.apparmor.security.beta.kubernetes.io/web': 'unconfined' }),
  },
  { ruleId: 'PSS-RESTRICTED-SELINUX', breaks: 'a custom SELinux type', mutate: (objects) => (webPodSecurityContext(objects).seLinuxOptions = { type: 'spc_t' }) },
  { ruleId: 'PSS-RESTRICTED-PROC-MOUNT', breaks: 'an unmasked /proc', mutate: (objects) => (webSecurityContext(objects).procMount = 'Unmasked') },
  { ruleId: 'PSS-RESTRICTED-SECCOMP', breaks: 'an unconfined seccomp profile', mutate: (objects) => (webPodSecurityContext(objects).seccompProfile = { type: 'Unconfined' }) },
  { ruleId: 'PSS-RESTRICTED-SYSCTLS', breaks: 'an unsafe sysctl', mutate: (objects) => (webPodSecurityContext(objects).sysctls = [{ name: 'kernel.msgmax', value: '65536' }]) },
  { ruleId: 'PSS-RESTRICTED-PRIVILEGE-ESCALATION', breaks: 'a container allowing privilege escalation', mutate: (objects) => (webSecurityContext(objects).allowPrivilegeEscalation = true) },
  { ruleId: 'PSS-RESTRICTED-RUN-AS-NON-ROOT', breaks: 'a pod that may run as root', mutate: (objects) => delete webPodSecurityContext(objects).runAsNonRoot },
  { ruleId: 'PSS-RESTRICTED-RUN-AS-USER', breaks: 'a container running as UID 0', mutate: (objects) => (webSecurityContext(objects).runAsUser = 0) },
];

export const KUBE_LINTER_CASES: readonly RuleCase[] = [
  { ruleId: 'KUBE-LINTER-NO-READ-ONLY-ROOT-FS', breaks: 'a writable root filesystem', mutate: (objects) => (webSecurityContext(objects).readOnlyRootFilesystem = false) },
  { ruleId: 'KUBE-LINTER-LATEST-TAG', breaks: 'an image on the latest tag', mutate: (objects) => (webContainer(objects).image = 'ghcr.io/acme/generator-platform-web:latest') },
  { ruleId: 'KUBE-LINTER-MISMATCHING-SELECTOR', breaks: 'a selector that misses its own pod template', mutate: (objects) => (at(webDeployment(objects), 'spec', 'selector').matchLabels = nothing) },
  { ruleId: 'KUBE-LINTER-NO-ANTI-AFFINITY', breaks: 'an autoscaled Deployment without spreading over nodes', mutate: (objects) => delete webPod(objects).topologySpreadConstraints },
  { ruleId: 'KUBE-LINTER-DEPRECATED-SERVICE-ACCOUNT-FIELD', breaks: 'the deprecated serviceAccount field', mutate: (objects) => (webPod(objects).serviceAccount = 'web') },
  { ruleId: 'KUBE-LINTER-DUPLICATE-ENV-VAR', breaks: 'an environment variable set twice', mutate: (objects) => (webContainer(objects).env as K8sObject[]).push({ name: 'DATABASE_PASSWORD', value: '' }) },
  { ruleId: 'KUBE-LINTER-INVALID-TARGET-PORTS', breaks: 'a Service targetPort that is not an IANA name', mutate: (objects) => (at(webService(objects), 'ports', 0).targetPort = 'Http_Port') },
  { ruleId: 'KUBE-LINTER-PROBE-PORT', breaks: 'a readiness probe on an undeclared port', mutate: (objects) => (at(webContainer(objects), 'readinessProbe', 'httpGet').port = 'admin') },
  { ruleId: 'KUBE-LINTER-SSH-PORT', breaks: 'a container exposing port 22', mutate: (objects) => (webContainer(objects).ports as K8sObject[]).push({ name: 'ssh', containerPort: 22, protocol: 'TCP' }) },
  { ruleId: 'KUBE-LINTER-PDB-MAX-UNAVAILABLE', breaks: 'a budget with maxUnavailable 0', mutate: (objects) => (webBudget(objects).maxUnavailable = 0) },
  {
    ruleId: 'KUBE-LINTER-PDB-MIN-AVAILABLE',
    breaks: 'a budget whose minAvailable equals the autoscaler minimum',
    mutate: (objects) => {
      delete webBudget(objects).maxUnavailable;
      webBudget(objects).minAvailable = 2;
    },
  },
  { ruleId: 'KUBE-LINTER-PDB-UNHEALTHY-POD-EVICTION-POLICY', breaks: 'a budget without unhealthyPodEvictionPolicy', mutate: (objects) => delete webBudget(objects).unhealthyPodEvictionPolicy },
];

export const POLARIS_CASES: readonly RuleCase[] = [
  { ruleId: 'POLARIS-SENSITIVE-CONTAINER-ENV-VAR', breaks: 'a literal password in the environment', mutate: (objects) => (webContainer(objects).env as K8sObject[]).push({ name: 'ADMIN_PASSWORD', value: 'hunter2' }) },
  { ruleId: 'POLARIS-SENSITIVE-CONFIGMAP-CONTENT', breaks: 'a token in a ConfigMap', mutate: (objects) => (at(objectNamed(objects, 'ConfigMap', 'web-config'), 'data').API_TOKEN = 'abc123') },
  {
    ruleId: 'POLARIS-POD-EXEC-ATTACH-ROLE',
    breaks: 'a Role granting pods/exec',
    mutate: (objects) => (objectNamed(objects, 'Role', 'web-config-reader').rules as K8sObject[]).push({ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }),
  },
  {
    ruleId: 'POLARIS-POD-EXEC-ATTACH-BINDING',
    breaks: 'a RoleBinding to a Role granting pods/attach',
    mutate: (objects) => (objectNamed(objects, 'Role', 'web-config-reader').rules as K8sObject[]).push({ apiGroups: [''], resources: ['pods/attach'], verbs: ['create'] }),
  },
  {
    ruleId: 'POLARIS-CLUSTER-ADMIN-BINDING',
    breaks: 'a RoleBinding to cluster-admin',
    mutate: (objects) => (objectNamed(objects, 'RoleBinding', 'web-config-reader').roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }),
  },
];

export const KUBE_SCORE_CASES: readonly RuleCase[] = [
  { ruleId: 'KUBE-SCORE-CONTAINER-RESOURCES', breaks: 'a container without limits', mutate: (objects) => delete at(webContainer(objects), 'resources').limits },
  { ruleId: 'KUBE-SCORE-CONTAINER-EPHEMERAL-STORAGE', breaks: 'a container without an ephemeral-storage request', mutate: (objects) => delete at(webContainer(objects), 'resources', 'requests')['ephemeral-storage'] },
  { ruleId: 'KUBE-SCORE-CONTAINER-IMAGE-PULL-POLICY', breaks: 'an IfNotPresent pull policy', mutate: (objects) => (webContainer(objects).imagePullPolicy = 'IfNotPresent') },
  { ruleId: 'KUBE-SCORE-POD-NETWORKPOLICY', breaks: 'pods whose egress no NetworkPolicy restricts', mutate: (objects) => (at(objectNamed(objects, 'NetworkPolicy', 'default-deny'), 'spec').policyTypes = ['Ingress']) },
  { ruleId: 'KUBE-SCORE-POD-PROBES', breaks: 'a served container without a liveness probe', mutate: (objects) => delete webContainer(objects).livenessProbe },
  { ruleId: 'KUBE-SCORE-CONTAINER-USER-GROUP-ID', breaks: 'a low UID', mutate: (objects) => (webPodSecurityContext(objects).runAsUser = 1000) },
  { ruleId: 'KUBE-SCORE-SERVICE-TYPE', breaks: 'a NodePort Service', mutate: (objects) => (webService(objects).type = 'NodePort') },
  { ruleId: 'KUBE-SCORE-STABLE-VERSION', breaks: 'a beta API version of a built-in kind', mutate: (objects) => (objectNamed(objects, 'HorizontalPodAutoscaler', 'web').apiVersion = 'autoscaling/v2beta2') },
  { ruleId: 'KUBE-SCORE-HPA-TARGET-HAS-NO-REPLICAS', breaks: 'replicas on an autoscaled Deployment', mutate: (objects) => (at(webDeployment(objects), 'spec').replicas = 3) },
  { ruleId: 'KUBE-SCORE-WORKLOAD-HAS-PDB', breaks: 'a Deployment without a disruption budget', mutate: (objects) => objects.splice(objects.indexOf(objectNamed(objects, 'PodDisruptionBudget', 'web')), 1) },
  {
    ruleId: 'KUBE-SCORE-PDB-HAS-POLICY',
    breaks: 'a budget with neither minAvailable nor maxUnavailable',
    mutate: (objects) => delete webBudget(objects).maxUnavailable,
  },
  { ruleId: 'KUBE-SCORE-CRONJOB-HAS-DEADLINE', breaks: 'a CronJob without startingDeadlineSeconds', mutate: (objects) => delete at(objectNamed(objects, 'CronJob', 'reports'), 'spec').startingDeadlineSeconds },
  { ruleId: 'KUBE-SCORE-LABEL-VALUES', breaks: 'a label value with a space', mutate: (objects) => (at(webDeployment(objects), 'metadata', 'labels').team = 'web team') },
  { ruleId: 'KUBE-SCORE-STATEFULSET-HAS-SERVICENAME', breaks: 'a StatefulSet naming a missing Service', mutate: (objects) => (at(objectNamed(objects, 'StatefulSet', 'cache'), 'spec').serviceName = 'cache') },
];

export const CROSS_REFERENCE_CASES: readonly RuleCase[] = [
  { ruleId: 'XREF-SERVICE-SELECTOR', breaks: 'a Service selecting nothing', mutate: (objects) => (webService(objects).selector = nothing) },
  { ruleId: 'XREF-SERVICE-TARGET-PORT', breaks: 'a Service targeting an undeclared port', mutate: (objects) => (at(webService(objects), 'ports', 0).targetPort = 8080) },
  { ruleId: 'XREF-NETWORKPOLICY-SELECTOR', breaks: 'a NetworkPolicy selecting nothing', mutate: (objects) => (at(objectNamed(objects, 'NetworkPolicy', 'web-allow-ingress'), 'spec', 'podSelector').matchLabels = nothing) },
  { ruleId: 'XREF-PDB-SELECTOR', breaks: 'a budget selecting nothing', mutate: (objects) => (at(webBudget(objects), 'selector').matchLabels = nothing) },
  { ruleId: 'XREF-HPA-TARGET', breaks: 'an autoscaler of a missing Deployment', mutate: (objects) => (at(objectNamed(objects, 'HorizontalPodAutoscaler', 'web'), 'spec', 'scaleTargetRef').name = 'webb') },
  { ruleId: 'XREF-SCALEDOBJECT-TARGET', breaks: 'a ScaledObject of a missing Deployment', mutate: (objects) => (at(objectNamed(objects, 'ScaledObject', 'generator'), 'spec', 'scaleTargetRef').name = 'generatr') },
  { ruleId: 'XREF-SERVICEMONITOR-SELECTOR', breaks: 'a ServiceMonitor selecting no Service', mutate: (objects) => (at(objectNamed(objects, 'ServiceMonitor', 'web'), 'spec', 'selector').matchLabels = nothing) },
  { ruleId: 'XREF-PODMONITOR-SELECTOR', breaks: 'a PodMonitor on a port the pods do not name', mutate: (objects) => (at(objectNamed(objects, 'PodMonitor', 'db'), 'spec', 'podMetricsEndpoints', 0).port = 'exporter') },
  {
    ruleId: 'XREF-INGRESS-BACKEND',
    breaks: 'an Ingress backend on a port the Service lacks',
    mutate: (objects) => (at(objectNamed(objects, 'Ingress', 'web'), 'spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service').port = { number: 8080 }),
  },
  { ruleId: 'XREF-INGRESS-TLS-SECRET', breaks: 'an Ingress TLS Secret nothing produces', mutate: (objects) => objects.splice(objects.indexOf(objectNamed(objects, 'Certificate', 'web-tls')), 1) },
  {
    ruleId: 'XREF-CERTIFICATE-ISSUER',
    breaks: 'a Certificate naming a ClusterIssuer no folder of its cluster renders',
    mutate: (objects) => (at(objectNamed(objects, 'Certificate', 'web-tls'), 'spec', 'issuerRef').name = 'letsencrypt-staging'),
  },
  { ruleId: 'XREF-SERVICE-ACCOUNT', breaks: 'a missing ServiceAccount', mutate: (objects) => objects.splice(objects.indexOf(objectNamed(objects, 'ServiceAccount', 'web')), 1) },
  { ruleId: 'XREF-CONFIGMAP', breaks: 'a missing ConfigMap', mutate: (objects) => (at(webContainer(objects), 'envFrom', 0, 'configMapRef').name = 'web-settings') },
  { ruleId: 'XREF-SECRET', breaks: 'a Secret nothing produces', mutate: (objects) => objects.splice(objects.indexOf(objectNamed(objects, 'ExternalSecret', 'web-database')), 1) },
  { ruleId: 'XREF-PERSISTENT-VOLUME-CLAIM', breaks: 'a missing PersistentVolumeClaim', mutate: (objects) => objects.splice(objects.indexOf(objectNamed(objects, 'PersistentVolumeClaim', 'reports')), 1) },
  {
    ruleId: 'XREF-IMAGE-PULL-SECRET',
    breaks: 'a ServiceAccount pulling with a Secret nothing produces',
    mutate: (objects) => (at(objectNamed(objects, 'ServiceAccount', 'web'), 'imagePullSecrets', 0).name = 'registry-credentials'),
  },
  {
    ruleId: 'XREF-IMAGE-PULL-SECRET',
    breaks: 'a ServiceAccount pulling with an Opaque Secret',
    mutate: (objects) => (at(objectNamed(objects, 'ServiceAccount', 'web'), 'imagePullSecrets', 0).name = 'web-database'),
  },
  {
    ruleId: 'XREF-PRIVATE-IMAGE-PULL-SECRET',
    breaks: 'a pod of a private image whose ServiceAccount has no pull secret',
    mutate: (objects) => delete objectNamed(objects, 'ServiceAccount', 'generator').imagePullSecrets,
  },
];

export const OPERATOR_REFERENCE_CASES: readonly RuleCase[] = [
  {
    ruleId: 'XREF-TRIGGER-AUTHENTICATION',
    breaks: 'a ScaledObject trigger naming a missing TriggerAuthentication',
    mutate: (objects) => (at(objectNamed(objects, 'ScaledObject', 'generator'), 'spec', 'triggers', 1, 'authenticationRef').name = 'rabbitmq-auth'),
  },
  { ruleId: 'XREF-RABBITMQ-CLUSTER', breaks: 'a Queue of a missing RabbitmqCluster', mutate: (objects) => (at(objectNamed(objects, 'Queue', 'generation-jobs'), 'spec', 'rabbitmqClusterReference').name = 'rabbit') },
  { ruleId: 'XREF-POSTGRES-CLUSTER', breaks: 'a Pooler of a missing Cluster', mutate: (objects) => (at(objectNamed(objects, 'Pooler', 'db-pooler'), 'spec', 'cluster').name = 'database') },
  { ruleId: 'XREF-OPERATOR-SECRET', breaks: 'a TriggerAuthentication and a User reading a Secret nothing produces', mutate: (objects) => objects.splice(objects.indexOf(objectNamed(objects, 'ExternalSecret', 'generator-rabbitmq')), 1) },
];

const apiRollout = (objects: K8sObject[]) => objectNamed(objects, 'Rollout', 'api');
const siteRollout = (objects: K8sObject[]) => objectNamed(objects, 'Rollout', 'site');
const blueGreen = (objects: K8sObject[]) => at(apiRollout(objects), 'spec', 'strategy', 'blueGreen');
const canary = (objects: K8sObject[]) => at(siteRollout(objects), 'spec', 'strategy', 'canary');
const productionApplication = (objects: K8sObject[]) => objectNamed(objects, 'Application', 'generator-platform-production');

export const ROLLOUT_REFERENCE_CASES: readonly RuleCase[] = [
  {
    ruleId: 'XREF-ROLLOUT-WORKLOAD-REF',
    breaks: 'a Rollout borrowing the template of a Deployment that is not rendered',
    mutate: (objects) => {
      const spec = at(siteRollout(objects), 'spec');
      delete spec.template;
      spec.workloadRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'site-template' };
    },
  },
  { ruleId: 'XREF-ROLLOUT-SERVICE', breaks: 'a blue-green previewService that is not rendered', mutate: (objects) => (blueGreen(objects).previewService = 'api-previw') },
  { ruleId: 'XREF-ROLLOUT-INGRESS', breaks: 'an nginx stableIngress that is not rendered', mutate: (objects) => (at(canary(objects), 'trafficRouting', 'nginx').stableIngress = 'site-main') },
  { ruleId: 'XREF-ROLLOUT-ANALYSIS-TEMPLATE', breaks: 'a pre-promotion analysis that does not pass the template arg service-name', mutate: (objects) => delete at(blueGreen(objects), 'prePromotionAnalysis').args },
  {
    ruleId: 'XREF-ANALYSIS-TEMPLATE-ARGS',
    breaks: 'an AnalysisTemplate query using an undeclared arg',
    mutate: (objects) => (at(objectNamed(objects, 'AnalysisTemplate', 'success-rate'), 'spec', 'metrics', 0, 'provider', 'prometheus').query = 'up{service="{{args.service}}"}'),
  },
  {
    ruleId: 'XREF-TOPOLOGY-MATCH-LABEL-KEYS',
    breaks: "a Rollout spreading by the Deployment's pod-template-hash",
    mutate: (objects) => (at(apiRollout(objects), 'spec', 'template', 'spec', 'topologySpreadConstraints', 0).matchLabelKeys = ['pod-template-hash']),
  },
];

export const ARGOCD_CASES: readonly RuleCase[] = [
  { ruleId: 'XREF-APPLICATION-PATH', breaks: 'an Application path that is not a rendered folder', mutate: (objects) => (at(productionApplication(objects), 'spec', 'source').path = 'dist/prod') },
  { ruleId: 'XREF-APPLICATION-PROJECT', breaks: 'an Application in the built-in default project', mutate: (objects) => (at(productionApplication(objects), 'spec').project = 'default') },
  { ruleId: 'XREF-APPLICATION-DESTINATION', breaks: 'an Application syncing into a namespace its project does not permit', mutate: (objects) => (at(productionApplication(objects), 'spec', 'destination').namespace = 'kube-system') },
  {
    ruleId: 'XREF-APPLICATION-SOURCE-REPO',
    breaks: "an Application whose repository is not among its project's sourceRepos",
    mutate: (objects) => (at(objectNamed(objects, 'AppProject', 'generator-platform'), 'spec').sourceRepos = ['https://github.com/acme/other-repository.git']),
  },
  {
    ruleId: 'XREF-APPLICATION-RESOURCES',
    breaks: 'a synced Namespace whose kind the cluster baseline project does not whitelist',
    mutate: (objects) => (at(objectNamed(objects, 'AppProject', 'platform-cluster-baseline'), 'spec').clusterResourceWhitelist = [{ group: 'kyverno.io', kind: 'ClusterPolicy' }]),
  },
  {
    ruleId: 'XREF-APPLICATION-KUSTOMIZE',
    breaks: 'a preview patch whose test value no longer matches the rendered Ingress',
    mutate: (objects) => (at(objectNamed(objects, 'Ingress', 'web'), 'spec', 'rules', 0).host = 'www.example.com'),
  },
  {
    ruleId: 'XREF-APPLICATION-IGNORE-DIFFERENCES',
    breaks: 'an ignoreDifferences entry still naming the Deployment a Rollout replaced',
    mutate: (objects) => Object.assign(at(productionApplication(objects), 'spec', 'ignoreDifferences', 0), { group: 'apps', kind: 'Deployment' }),
  },
  {
    ruleId: 'ARGOCD-SYNC-HOOK',
    breaks: 'a hook-delete-policy misspelt on a CronJob without a hook',
    mutate: (objects) => ((objectNamed(objects, 'CronJob', 'reports').metadata as K8sObject).annotations = { 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreaton' }),
  },
  { ruleId: 'ARGOCD-SYNC-OPTIONS', breaks: 'a misspelt sync option Argo CD would ignore', mutate: (objects) => (at(productionApplication(objects), 'spec', 'syncPolicy').syncOptions = ['ServerSideApply=True']) },
  {
    ruleId: 'ARGOCD-SYNC-WAVE-ORDER',
    breaks: "an ExternalSecret synced in a later wave than the Deployment that reads its Secret",
    mutate: (objects) => ((objectNamed(objects, 'ExternalSecret', 'web-database').metadata as K8sObject).annotations = { 'argocd.argoproj.io/sync-wave': '3' }),
  },
  { ruleId: 'ARGOCD-DROPPED-FALSE', breaks: 'an Application that writes prune: false, which Argo CD drops', mutate: (objects) => (at(productionApplication(objects), 'spec', 'syncPolicy', 'automated').prune = false) },
  {
    ruleId: 'ARGOCD-TENANT-PROJECT',
    breaks: "an environment's project that allows the cluster-scoped kind Namespace",
    mutate: (objects) => (at(objectNamed(objects, 'AppProject', 'generator-platform'), 'spec').clusterResourceWhitelist = [{ group: '', kind: 'Namespace' }]),
  },
  {
    ruleId: 'ARGOCD-TENANT-PROJECT',
    breaks: "an environment's project that allows a foreign namespace",
    mutate: (objects) => (at(objectNamed(objects, 'AppProject', 'generator-platform'), 'spec', 'destinations') as unknown as K8sObject[]).push({ server: 'https://kubernetes.default.svc', namespace: 'kube-system' }),
  },
  {
    ruleId: 'ARGOCD-TENANT-PROJECT',
    breaks: "an environment's project that lets its content create ApplicationSets",
    mutate: (objects) => (at(objectNamed(objects, 'AppProject', 'generator-platform'), 'spec', 'namespaceResourceWhitelist') as unknown as K8sObject[]).push({ group: 'argoproj.io', kind: 'ApplicationSet' }),
  },
  {
    ruleId: 'ARGOCD-WAVE-ORDER',
    breaks: 'the cluster baseline (namespace, secret store, issuer) synced in the same wave as the environment that needs it',
    mutate: (objects) => (at(objectNamed(objects, 'Application', 'cluster-baseline'), 'metadata', 'annotations')['argocd.argoproj.io/sync-wave'] = '1'),
  },
  {
    ruleId: 'ARGOCD-WAVE-ORDER',
    breaks: 'an ExternalSecret naming a ClusterSecretStore no Application provides',
    mutate: (objects) => (at(objectNamed(objects, 'ExternalSecret', 'web-database'), 'spec', 'secretStoreRef').name = 'vault-elsewhere'),
  },
  { ruleId: 'ARGOCD-SYNC-WAVE', breaks: 'a sync wave that is not an integer', mutate: (objects) => (at(productionApplication(objects), 'metadata', 'annotations')['argocd.argoproj.io/sync-wave'] = 'first') },
];

const webIngressAnnotations = (objects: K8sObject[]) => at(objectNamed(objects, 'Ingress', 'web'), 'metadata', 'annotations');

export const PLATFORM_SECURITY_CASES: readonly RuleCase[] = [
  {
    ruleId: 'PLATFORM-RBAC-BROAD-ROLE',
    breaks: 'a RoleBinding to the edit ClusterRole',
    mutate: (objects) => (objectNamed(objects, 'RoleBinding', 'web-config-reader').roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }),
  },
  {
    ruleId: 'PLATFORM-RBAC-BROAD-ROLE',
    breaks: 'a Role granting every verb',
    mutate: (objects) => (at(objectNamed(objects, 'Role', 'web-config-reader'), 'rules', 0).verbs = ['*']),
  },
  {
    ruleId: 'PLATFORM-SECRET-DATA',
    breaks: 'a Secret with its value in the repository',
    mutate: (objects) => objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: meta('web-api-key'), type: 'Opaque', stringData: { key: 'hunter2' } }),
  },
  { ruleId: 'PLATFORM-INGRESS-AUTHENTICATION', breaks: 'an Ingress that bypasses the sign-in proxy', mutate: (objects) => delete webIngressAnnotations(objects)['nginx.ingress.kubernetes.io/auth-url'] },
  {
    ruleId: 'PLATFORM-INGRESS-AUTHENTICATION',
    breaks: 'a public Ingress serving the root path',
    mutate: (objects) => {
      delete webIngressAnnotations(objects)['nginx.ingress.kubernetes.io/auth-url'];
      webIngressAnnotations(objects)['security.generator-platform.dev/public-paths'] = 'health checks of the uptime monitor';
    },
  },
  { ruleId: 'PLATFORM-INGRESS-RATE-LIMIT', breaks: 'an Ingress without a connection limit', mutate: (objects) => delete webIngressAnnotations(objects)['nginx.ingress.kubernetes.io/limit-connections'] },
  {
    ruleId: 'PLATFORM-INGRESS-TLS',
    breaks: 'an Ingress whose certificate does not cover its host',
    mutate: (objects) => (at(objectNamed(objects, 'Ingress', 'web'), 'spec', 'tls', 0).hosts = ['www.example.com']),
  },
  { ruleId: 'PLATFORM-INGRESS-TLS', breaks: 'an Ingress that serves plain HTTP', mutate: (objects) => (webIngressAnnotations(objects)['nginx.ingress.kubernetes.io/force-ssl-redirect'] = 'false') },
  {
    ruleId: 'PLATFORM-RABBITMQ-TLS',
    breaks: 'a production broker keeping its plaintext listeners',
    mutate: (objects) => (at(objectNamed(objects, 'RabbitmqCluster', 'queue'), 'spec', 'tls').disableNonTLSListeners = false),
  },
  { ruleId: 'PLATFORM-RABBITMQ-TLS', breaks: 'a broker without TLS', mutate: (objects) => delete at(objectNamed(objects, 'RabbitmqCluster', 'queue'), 'spec').tls },
  {
    ruleId: 'PLATFORM-POSTGRES-TLS',
    breaks: 'a production database admitting password logins without TLS',
    mutate: (objects) => (at(objectNamed(objects, 'Cluster', 'db'), 'spec', 'postgresql').pg_hba = ['host all all 10.0.0.0/8 scram-sha-256']),
  },
  {
    ruleId: 'PLATFORM-REDIS-TLS',
    breaks: 'a production redis.conf with the plaintext port open',
    mutate: (objects) => (at(objectNamed(objects, 'ConfigMap', 'cache-config'), 'data')['redis.conf'] = 'port 6379\ntls-port 6380\n'),
  },
  {
    ruleId: 'PLATFORM-SERVICE-TLS',
    breaks: 'a production Service port declared as plaintext http',
    mutate: (objects) => (at(webService(objects), 'ports', 0).appProtocol = 'http'),
  },
  {
    ruleId: 'PLATFORM-INGRESS-BACKEND-TLS',
    breaks: 'an Ingress reaching its backend over plain HTTP',
    mutate: (objects) => (webIngressAnnotations(objects)['nginx.ingress.kubernetes.io/backend-protocol'] = 'HTTP'),
  },
  {
    ruleId: 'PLATFORM-INGRESS-BACKEND-TLS',
    breaks: 'an Ingress verifying its backends with a CA Secret nothing produces',
    mutate: (objects) => (webIngressAnnotations(objects)['nginx.ingress.kubernetes.io/proxy-ssl-secret'] = 'generator-platform/missing-ca'),
  },
  {
    ruleId: 'PLATFORM-METRICS-TLS',
    breaks: 'a ServiceMonitor scraping over http',
    mutate: (objects) => (at(objectNamed(objects, 'ServiceMonitor', 'web'), 'spec', 'endpoints', 0).scheme = 'http'),
  },
  {
    ruleId: 'PLATFORM-METRICS-TLS',
    breaks: 'a PodMonitor that skips certificate verification',
    mutate: (objects) => (at(objectNamed(objects, 'PodMonitor', 'db'), 'spec', 'podMetricsEndpoints', 0, 'tlsConfig').insecureSkipVerify = true),
  },
  {
    ruleId: 'PLATFORM-SERVICE-ACCOUNT-TOKEN',
    breaks: 'an unbound ServiceAccount that mounts its token',
    mutate: (objects) => (objectNamed(objects, 'ServiceAccount', 'generator').automountServiceAccountToken = true),
  },
  {
    ruleId: 'PLATFORM-SERVICE-ACCOUNT-TOKEN',
    breaks: 'a pod of an unbound ServiceAccount that mounts the token',
    mutate: (objects) => (podSpecOf(objectNamed(objects, 'Deployment', 'generator')).automountServiceAccountToken = true),
  },
  { ruleId: 'PLATFORM-IMAGE-DIGEST', breaks: 'a production container pulled by tag only', mutate: (objects) => (webContainer(objects).image = 'ghcr.io/acme/generator-platform-web:1.4.2') },
  {
    ruleId: 'PLATFORM-IMAGE-DIGEST',
    breaks: "a production Pooler left to the operator's default PgBouncer image",
    mutate: (objects) => delete at(objectNamed(objects, 'Pooler', 'db-pooler'), 'spec').template,
  },
  {
    ruleId: 'PLATFORM-VAULT-CLIENT-CA',
    breaks: 'a Vault ClusterSecretStore toward vault.acme.internal without a CA bundle',
    mutate: (objects) =>
      objects.push({
        apiVersion: 'external-secrets.io/v1beta1',
        kind: 'ClusterSecretStore',
        metadata: { name: 'vault' },
        spec: { provider: { vault: { server: 'https://vault.acme.internal:8200', path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'platform' } } } } },
      }),
  },
  {
    ruleId: 'PLATFORM-OBJECT-STORE-CA',
    breaks: 'a CloudNativePG Cluster archiving to a private object store without endpointCA',
    mutate: (objects) =>
      (at(objectNamed(objects, 'Cluster', 'db'), 'spec').backup = {
        barmanObjectStore: {
          destinationPath: 's3://backups/db',
          endpointURL: 'https://minio.acme.internal:9000',
          s3Credentials: { accessKeyId: { name: 'db-owner', key: 'username' }, secretAccessKey: { name: 'db-owner', key: 'password' } },
        },
      }),
  },
];

export const ALL_CASES: readonly RuleCase[] = [
  ...SCHEMA_CASES,
  ...POD_SECURITY_CASES,
  ...KUBE_LINTER_CASES,
  ...POLARIS_CASES,
  ...KUBE_SCORE_CASES,
  ...CROSS_REFERENCE_CASES,
  ...OPERATOR_REFERENCE_CASES,
  ...ROLLOUT_REFERENCE_CASES,
  ...ARGOCD_CASES,
  ...PLATFORM_SECURITY_CASES,
];

