/**
 * Builders of a small platform that passes every rule of the gate. Tests copy it, break one
 * thing, and expect the rule that names that thing.
 */
export type K8sObject = { [key: string]: unknown };

export const NAMESPACE = 'generator-platform';
const DIGEST = `sha256:${'ab12'.repeat(16)}`;

export function meta(name: string, labels: Record<string, string> = {}): K8sObject {
  return { name, namespace: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'generator-platform', ...labels } };
}

export function appLabels(app: string): Record<string, string> {
  return { 'app.kubernetes.io/name': app };
}

/** A container that meets every container rule; `overrides` replace top-level fields. */
export function secureContainer(name: string, overrides: K8sObject = {}): K8sObject {
  return {
    name,
    image: `ghcr.io/acme/generator-platform-${name}:1.4.2@${DIGEST}`,
    imagePullPolicy: 'Always',
    ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }],
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    resources: {
      requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '1Gi' },
      limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '1Gi' },
    },
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
    ...overrides,
  };
}

/** A pod template that meets every pod rule, spread over nodes. */
export function securePodTemplate(app: string, container: K8sObject, spec: K8sObject = {}): K8sObject {
  return {
    metadata: { labels: appLabels(app) },
    spec: {
      serviceAccountName: app,
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container],
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: appLabels(app) } }],
      ...spec,
    },
  };
}

/** The registry credential every ServiceAccount pulls the platform's private images with. */
export const REGISTRY_PULL_SECRET = 'registry-pull-secret';

/** A ServiceAccount without an API token that pulls from the private registry with REGISTRY_PULL_SECRET. */
export function serviceAccount(name: string): K8sObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name), automountServiceAccountToken: false, imagePullSecrets: [{ name: REGISTRY_PULL_SECRET }] };
}

export function deployment(app: string, container: K8sObject = secureContainer(app)): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(app, appLabels(app)),
    spec: { selector: { matchLabels: appLabels(app) }, template: securePodTemplate(app, container) },
  };
}

export function service(app: string, spec: K8sObject = {}): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(app, appLabels(app)),
    spec: { type: 'ClusterIP', selector: appLabels(app), ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
  };
}

export function podDisruptionBudget(app: string): K8sObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(app),
    spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: appLabels(app) } },
  };
}

export function horizontalPodAutoscaler(app: string): K8sObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(app),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  };
}

export function scaledObject(app: string): K8sObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: meta(app),
    spec: {
      scaleTargetRef: { name: app },
      minReplicaCount: 1,
      maxReplicaCount: 5,
      triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }],
    },
  };
}

export function defaultDenyNetworkPolicy(): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta('default-deny'),
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

export function allowIngressNetworkPolicy(app: string): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(`${app}-allow-ingress`),
    spec: {
      podSelector: { matchLabels: appLabels(app) },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }],
    },
  };
}

/** Annotations every Ingress needs: sign-in through the proxy, per-client limits, HTTPS only. */
export const INGRESS_ANNOTATIONS: Readonly<Record<string, string>> = {
  'nginx.ingress.kubernetes.io/auth-url': 'http://oauth2-proxy.generator-platform.svc.cluster.local/oauth2/auth',
  'nginx.ingress.kubernetes.io/limit-rps': '20',
  'nginx.ingress.kubernetes.io/limit-connections': '20',
  'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
  'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
  'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
  'nginx.ingress.kubernetes.io/proxy-ssl-name': 'web.generator-platform.svc',
  'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'generator-platform/ingress-backend-client',
};

export function ingress(app: string, tlsSecret: string): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { ...meta(app), annotations: { ...INGRESS_ANNOTATIONS } },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['app.example.com'], secretName: tlsSecret }],
      rules: [{ host: 'app.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: app, port: { number: 80 } } } }] } }],
    },
  };
}

export function certificate(secretName: string): K8sObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: meta(secretName),
    spec: { secretName, dnsNames: ['app.example.com'], issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt' } },
  };
}

/** An ACME ClusterIssuer answering HTTP-01 challenges through ingress-nginx (cluster-scoped: no namespace). */
export function clusterIssuer(name: string): K8sObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name },
    spec: {
      acme: {
        server: 'https://acme-v02.api.letsencrypt.org/directory',
        email: 'platform@example.com',
        privateKeySecretRef: { name: `${name}-account-key` },
        solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
      },
    },
  };
}

export function configMap(name: string, data: Record<string, string>): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name), data };
}

export function externalSecret(name: string): K8sObject {
  return {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: meta(name),
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
      target: { name },
      data: [{ secretKey: 'password', remoteRef: { key: `generator-platform/${name}`, property: 'password' } }],
    },
  };
}

/** An ExternalSecret producing a kubernetes.io/dockerconfigjson Secret for the private registry ghcr.io, as VaultSecret.registryCredentials() renders it. */
export function registryCredentials(name: string): K8sObject {
  return {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: meta(name),
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
      target: {
        name,
        template: {
          type: 'kubernetes.io/dockerconfigjson',
          engineVersion: 'v2',
          mergePolicy: 'Replace',
          data: { '.dockerconfigjson': '{"auths":{"ghcr.io":{"auth":{{ printf "%s:%s" .username .password | b64enc | toJson }}}}}' },
        },
      },
      data: ['username', 'password'].map((property) => ({ secretKey: property, remoteRef: { key: 'generator-platform/registry', property } })),
    },
  };
}

export function serviceMonitor(app: string): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: meta(app),
    spec: { selector: { matchLabels: appLabels(app) }, endpoints: [{ port: 'http', path: '/metrics', ...verifiedTls(`${app}-server-tls`, `${app}.generator-platform.svc`) }] },
  };
}

export function podMonitor(name: string, podLabels: Record<string, string>, port: string): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: meta(name),
    spec: { selector: { matchLabels: podLabels }, podMetricsEndpoints: [{ port, ...verifiedTls(`${name}-server-tls`, `${name}.generator-platform.svc`) }] },
  };
}

/** A scrape endpoint's https scheme and the tlsConfig that verifies the target against the CA of `secret`. */
export function verifiedTls(secret: string, serverName: string): K8sObject {
  return { scheme: 'https', tlsConfig: { ca: { secret: { name: secret, key: 'ca.crt' } }, serverName } };
}

export function statefulSet(app: string, serviceName: string): K8sObject {
  const container = secureContainer(app, { ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }] });
  container.readinessProbe = { tcpSocket: { port: 'redis' }, periodSeconds: 5 };
  container.livenessProbe = { tcpSocket: { port: 'redis' }, periodSeconds: 20 };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(app, appLabels(app)),
    spec: {
      replicas: 1,
      serviceName,
      selector: { matchLabels: appLabels(app) },
      template: securePodTemplate(app, container),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

export function persistentVolumeClaim(name: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(name),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
}

export function cronJob(app: string, claimName: string): K8sObject {
  const container = secureContainer(app, { ports: undefined, readinessProbe: undefined, livenessProbe: undefined });
  container.volumeMounts = [{ name: 'reports', mountPath: '/reports' }];
  const template = securePodTemplate(app, withoutUndefined(container), { restartPolicy: 'OnFailure' });
  (template.spec as K8sObject).volumes = [{ name: 'reports', persistentVolumeClaim: { claimName } }];
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { ...meta(app, appLabels(app)), annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,ServerSideApply=true' } },
    spec: { schedule: '0 3 * * *', startingDeadlineSeconds: 600, jobTemplate: { spec: { template: template } } },
  };
}

export function role(name: string): K8sObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: meta(name),
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
  };
}

export function roleBinding(name: string, roleName: string, serviceAccountName: string): K8sObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccountName, namespace: NAMESPACE }],
  };
}

export function rabbitmqCluster(name: string): K8sObject {
  return {
    apiVersion: 'rabbitmq.com/v1beta1',
    kind: 'RabbitmqCluster',
    metadata: meta(name),
    spec: { replicas: 3, image: `docker.io/library/rabbitmq:3.12.14-management@${DIGEST}`, tls: { secretName: `${name}-tls`, disableNonTLSListeners: true } },
  };
}

export function rabbitmqQueue(name: string, cluster: string): K8sObject {
  return { apiVersion: 'rabbitmq.com/v1beta1', kind: 'Queue', metadata: meta(name), spec: { name, type: 'quorum', durable: true, rabbitmqClusterReference: { name: cluster } } };
}

export function rabbitmqUser(name: string, cluster: string, credentialsSecret: string): K8sObject {
  return { apiVersion: 'rabbitmq.com/v1beta1', kind: 'User', metadata: meta(name), spec: { rabbitmqClusterReference: { name: cluster }, importCredentialsSecret: { name: credentialsSecret } } };
}

export function triggerAuthentication(name: string, secretName: string): K8sObject {
  return { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: meta(name), spec: { secretTargetRef: [{ parameter: 'host', name: secretName, key: 'uri' }] } };
}

export function postgresCluster(name: string, ownerSecret: string): K8sObject {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: meta(name),
    spec: {
      instances: 3,
      imageName: `ghcr.io/cloudnative-pg/postgresql:15.4@${DIGEST}`,
      storage: { size: '10Gi' },
      postgresql: { pg_hba: ['hostnossl all all all reject'] },
      bootstrap: { initdb: { database: 'app', owner: 'app', secret: { name: ownerSecret } } },
    },
  };
}

export function postgresPooler(name: string, cluster: string): K8sObject {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Pooler',
    metadata: meta(name),
    spec: {
      cluster: { name: cluster },
      instances: 2,
      type: 'rw',
      pgbouncer: { poolMode: 'transaction' },
      template: { spec: { containers: [{ name: 'pgbouncer', image: `ghcr.io/cloudnative-pg/pgbouncer:1.23.0@${DIGEST}` }] } },
    },
  };
}

/** Lets pods labelled `fromApp` reach the pods `podLabels` selects on `port`. */
export function allowFromNetworkPolicy(name: string, podLabels: Record<string, string>, fromApp: string, port: number): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(name),
    spec: { podSelector: { matchLabels: podLabels }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: appLabels(fromApp) } }], ports: [{ port, protocol: 'TCP' }] }] },
  };
}

export function namespace(): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
  };
}

export const ROLLOUTS_API_VERSION = 'argoproj.io/v1alpha1';
export const ARGOCD_NAMESPACE = 'argocd';
export const REPOSITORY_URL = 'https://github.com/acme/generator-platform-k8s.git';
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** An Argo Rollout running the secure pod template, spread per revision, with `strategy`. */
export function rollout(app: string, strategy: K8sObject, spec: K8sObject = {}): K8sObject {
  const template = securePodTemplate(app, secureContainer(app));
  const spread = ((template.spec as K8sObject).topologySpreadConstraints as K8sObject[])[0];
  spread.matchLabelKeys = ['rollouts-pod-template-hash'];
  return {
    apiVersion: ROLLOUTS_API_VERSION,
    kind: 'Rollout',
    metadata: meta(app, appLabels(app)),
    spec: { selector: { matchLabels: appLabels(app) }, template, strategy, ...spec },
  };
}

/** An AnalysisTemplate with one Prometheus metric on the success rate of the Service its `service-name` arg names. */
export function analysisTemplate(name: string): K8sObject {
  return {
    apiVersion: ROLLOUTS_API_VERSION,
    kind: 'AnalysisTemplate',
    metadata: meta(name),
    spec: {
      args: [{ name: 'service-name' }, { name: 'threshold', value: '0.99' }],
      metrics: [
        {
          name: 'success-rate',
          interval: '1m',
          count: 5,
          failureLimit: 1,
          successCondition: 'result[0] >= {{args.threshold}}',
          provider: {
            prometheus: {
              address: 'http://prometheus.monitoring:9090',
              query: 'sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[2m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[2m]))',
            },
          },
        },
      ],
    },
  };
}

/** An AnalysisTemplate whose one metric is a Job (smoke test of the canary Service): its pod must meet every pod rule. */
export function jobAnalysisTemplate(name: string, serviceAccountName: string): K8sObject {
  const container = withoutUndefined(
    secureContainer('smoke-test', { ports: undefined, readinessProbe: undefined, livenessProbe: undefined, args: ['--url', 'http://{{args.service-name}}/healthz'] }),
  );
  const template = securePodTemplate(serviceAccountName, container, { restartPolicy: 'Never' });
  return {
    apiVersion: ROLLOUTS_API_VERSION,
    kind: 'AnalysisTemplate',
    metadata: meta(name),
    spec: {
      args: [{ name: 'service-name' }],
      metrics: [{ name: 'smoke-test', count: 1, failureLimit: 0, provider: { job: { spec: { backoffLimit: 0, activeDeadlineSeconds: 300, template } } } }],
    },
  };
}

/** A cluster-scoped ClusterAnalysisTemplate (no namespace) that needs no args. */
export function clusterAnalysisTemplate(name: string): K8sObject {
  const template = analysisTemplate(name);
  const spec = template.spec as K8sObject;
  return {
    apiVersion: ROLLOUTS_API_VERSION,
    kind: 'ClusterAnalysisTemplate',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'generator-platform' } },
    spec: { ...spec, args: [{ name: 'service-name', value: 'any' }, { name: 'threshold', value: '0.95' }] },
  };
}

/** A cluster-scoped Kyverno ClusterPolicy (schema only; no namespace). */
export function kyvernoClusterPolicy(name: string): K8sObject {
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: { name, annotations: { 'policies.kyverno.io/title': 'Require runAsNonRoot' } },
    spec: {
      validationFailureAction: 'Enforce',
      background: true,
      rules: [
        {
          name: 'run-as-non-root',
          match: { any: [{ resources: { kinds: ['Pod'] } }] },
          validate: { message: 'Pods must set runAsNonRoot: true.', pattern: { spec: { securityContext: { runAsNonRoot: true } } } },
        },
      ],
    },
  };
}

function argoCdMeta(name: string, annotations: Record<string, string> = {}): K8sObject {
  return { name, namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'generator-platform' }, annotations };
}

export function appProject(name: string): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: argoCdMeta(name, { 'argocd.argoproj.io/sync-wave': '-1' }),
    spec: {
      description: 'The generator platform, rendered by generator-platform-k8s',
      sourceRepos: [REPOSITORY_URL],
      destinations: [
        { server: IN_CLUSTER, namespace: NAMESPACE },
        { server: IN_CLUSTER, namespace: `${NAMESPACE}-pr-*` },
      ],
      clusterResourceWhitelist: [
        { group: '', kind: 'Namespace' },
        { group: 'kyverno.io', kind: 'ClusterPolicy' },
        { group: 'argoproj.io', kind: 'ClusterAnalysisTemplate' },
        { group: 'cert-manager.io', kind: 'ClusterIssuer' },
        { group: 'external-secrets.io', kind: 'ClusterSecretStore' },
      ],
      namespaceResourceBlacklist: [
        { group: '', kind: 'Secret' },
        { group: 'argoproj.io', kind: 'App*' },
      ],
    },
  };
}

/** An Application syncing the rendered folder `dist/<folder>` of this repository. */
export function application(name: string, folder: string, project: string): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: argoCdMeta(name, { 'argocd.argoproj.io/sync-wave': '1' }),
    spec: {
      project,
      source: { repoURL: REPOSITORY_URL, path: `dist/${folder}`, targetRevision: 'main' },
      destination: { server: IN_CLUSTER, namespace: NAMESPACE },
      // The HPA owns the replicas of the blue-green Rollout.
      ignoreDifferences: [{ group: 'argoproj.io', kind: 'Rollout', name: 'api', namespace: NAMESPACE, jsonPointers: ['/spec/replicas'] }],
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'] },
    },
  };
}

/**
 * An ApplicationSet with a pullRequest generator: one preview Application per open pull request,
 * built by kustomize from a rendered folder with the pull request's namespace, image and hostname.
 */
export function previewApplicationSet(name: string, project: string): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: argoCdMeta(name),
    spec: {
      generators: [{ pullRequest: { github: { owner: 'acme', repo: 'generator-platform-k8s', labels: ['preview'] }, requeueAfterSeconds: 300 } }],
      template: {
        metadata: { name: 'preview-{{number}}', annotations: { 'argocd.argoproj.io/sync-wave': '2' } },
        spec: {
          project,
          source: {
            repoURL: REPOSITORY_URL,
            path: 'dist/production',
            targetRevision: '{{head_sha}}',
            kustomize: {
              namespace: `${NAMESPACE}-pr-{{number}}`,
              images: ['ghcr.io/acme/generator-platform-web:pr-{{head_sha}}'],
              patches: [
                {
                  target: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', name: 'web' },
                  patch: JSON.stringify([
                    { op: 'test', path: '/spec/rules/0/host', value: 'app.example.com' },
                    { op: 'replace', path: '/spec/rules/0/host', value: 'app-pr-{{number}}.example.com' },
                  ]),
                },
              ],
            },
          },
          destination: { server: IN_CLUSTER, namespace: `${NAMESPACE}-pr-{{number}}` },
        },
      },
    },
  };
}

/** Kinds the fixtures write into the Argo CD folder (`argocd/apps.yaml`) instead of an environment. */
export const ARGOCD_KINDS: readonly string[] = ['Application', 'ApplicationSet', 'AppProject'];

function withoutUndefined(object: K8sObject): K8sObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/**
 * One environment of the platform: a web service behind an Ingress, a KEDA-scaled worker fed by
 * a RabbitMQ queue, a CloudNativePG database with a pooler, a single-replica StatefulSet cache and
 * a CronJob with a claim, with everything they reference.
 */
export function compliantPlatform(): K8sObject[] {
  const web = secureContainer('web', {
    envFrom: [{ configMapRef: { name: 'web-config' } }],
    env: [{ name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'web-database', key: 'password' } } }],
  });
  const generator = secureContainer('generator', {
    env: [
      { name: 'QUEUE_PASSWORD', valueFrom: { secretKeyRef: { name: 'queue-default-user', key: 'password' } } },
      { name: 'DATABASE_CA', valueFrom: { secretKeyRef: { name: 'db-ca', key: 'ca.crt' } } },
    ],
  });
  const generatorScaler = scaledObject('generator');
  ((generatorScaler.spec as K8sObject).triggers as K8sObject[]).push({
    type: 'rabbitmq',
    metadata: { queueName: 'generation-jobs', mode: 'QueueLength', value: '10' },
    authenticationRef: { name: 'generator-rabbitmq' },
  });
  const platform: K8sObject[] = [
    namespace(),
    defaultDenyNetworkPolicy(),
    registryCredentials(REGISTRY_PULL_SECRET),
    allowIngressNetworkPolicy('web'),
    serviceAccount('web'),
    configMap('web-config', { LOG_LEVEL: 'info' }),
    externalSecret('web-database'),
    deployment('web', web),
    service('web'),
    podDisruptionBudget('web'),
    horizontalPodAutoscaler('web'),
    ingress('web', 'web-tls'),
    certificate('web-tls'),
    certificate('ingress-backend-client'),
    clusterIssuer('letsencrypt'),
    serviceMonitor('web'),
    role('web-config-reader'),
    roleBinding('web-config-reader', 'web-config-reader', 'web'),
    serviceAccount('generator'),
    deployment('generator', generator),
    podDisruptionBudget('generator'),
    generatorScaler,
    rabbitmqCluster('queue'),
    rabbitmqQueue('generation-jobs', 'queue'),
    rabbitmqUser('generator', 'queue', 'generator-rabbitmq'),
    externalSecret('generator-rabbitmq'),
    triggerAuthentication('generator-rabbitmq', 'generator-rabbitmq'),
    allowFromNetworkPolicy('queue-allow-generator', { 'app.kubernetes.io/name': 'queue', 'app.kubernetes.io/component': 'rabbitmq' }, 'generator', 5671),
    postgresCluster('db', 'db-owner'),
    externalSecret('db-owner'),
    postgresPooler('db-pooler', 'db'),
    podMonitor('db', { 'cnpg.io/cluster': 'db' }, 'metrics'),
    { ...serviceMonitor('queue'), spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'queue' } }, endpoints: [{ port: 'prometheus-tls', ...verifiedTls('queue-tls', 'queue.generator-platform.svc') }] } },
    allowFromNetworkPolicy('db-allow-pooler', { 'cnpg.io/cluster': 'db', 'cnpg.io/instanceRole': 'primary' }, 'web', 5432),
    serviceAccount('cache'),
    statefulSet('cache', 'cache-headless'),
    configMap('cache-config', { 'redis.conf': 'port 0\ntls-port 6379\ntls-cert-file /tls/tls.crt\n' }),
    service('cache-headless', { clusterIP: 'None', selector: appLabels('cache'), ports: [{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }] }),
    serviceAccount('reports'),
    persistentVolumeClaim('reports'),
    cronJob('reports', 'reports'),
    ...blueGreenRollout(),
    ...canaryRollout(),
    kyvernoClusterPolicy('require-run-as-non-root'),
    vaultSecretStore('vault'),
  ];
  return [...platform, ...argoCdObjectsFor(platform)];
}

/** Whether the API server keeps an object of this fixture without a namespace. */
export function isClusterScopedFixture(object: K8sObject): boolean {
  return (object.metadata as K8sObject).namespace === undefined;
}

/**
 * The Argo CD objects of one cluster for `platform`: the environment's Application and the
 * previews' ApplicationSet in a project confined to their namespaces and the namespaced kinds of
 * the platform, and the cluster baseline Application, one wave earlier, for its cluster-scoped objects.
 */
export function argoCdObjectsFor(platform: readonly K8sObject[]): K8sObject[] {
  const kinds = new Map(
    platform.filter((object) => !isClusterScopedFixture(object)).map((object) => {
      const apiVersion = String(object.apiVersion);
      const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
      return [`${group}/${String(object.kind)}`, { group, kind: String(object.kind) }];
    }),
  );
  const project = appProject('generator-platform');
  const projectSpec = project.spec as K8sObject;
  projectSpec.clusterResourceWhitelist = [];
  delete projectSpec.namespaceResourceBlacklist;
  projectSpec.namespaceResourceWhitelist = [...kinds.values()].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
  const baselineProject = appProject('platform-cluster-baseline');
  const baselineSpec = baselineProject.spec as K8sObject;
  baselineSpec.description = 'Cluster-scoped objects of the environments';
  baselineSpec.destinations = [{ server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE }];
  baselineSpec.namespaceResourceBlacklist = [{ group: '*', kind: '*' }];
  const baseline = application('cluster-baseline', 'argocd/cluster-baseline', 'platform-cluster-baseline');
  (baseline.metadata as K8sObject).annotations = { 'argocd.argoproj.io/sync-wave': '-1' };
  const baselineSpecOfApp = baseline.spec as K8sObject;
  baselineSpecOfApp.destination = { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE };
  delete baselineSpecOfApp.ignoreDifferences;
  baselineSpecOfApp.syncPolicy = { automated: { selfHeal: true }, syncOptions: ['ServerSideApply=true'] };
  return [
    project,
    baselineProject,
    baseline,
    application('generator-platform-production', 'production', 'generator-platform'),
    previewApplicationSet('generator-platform-previews', 'generator-platform'),
  ];
}

/** A Vault ClusterSecretStore that serves the platform's namespace only, trusting Vault's CA. */
export function vaultSecretStore(name: string): K8sObject {
  return {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ClusterSecretStore',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'generator-platform' } },
    spec: {
      provider: {
        vault: {
          server: 'https://vault.generator-platform.svc:8200',
          path: 'secret',
          version: 'v2',
          auth: { kubernetes: { mountPath: 'kubernetes', role: 'generator-platform-production' } },
        },
      },
      conditions: [{ namespaces: [NAMESPACE] }],
    },
  };
}

/** `api`: a blue-green Rollout scaled by an HPA, promoted after a pre-promotion analysis of its preview Service. */
export function blueGreenRollout(): K8sObject[] {
  const autoscaler = horizontalPodAutoscaler('api');
  (autoscaler.spec as K8sObject).scaleTargetRef = { apiVersion: ROLLOUTS_API_VERSION, kind: 'Rollout', name: 'api' };
  return [
    serviceAccount('api'),
    rollout('api', {
      blueGreen: {
        activeService: 'api',
        previewService: 'api-preview',
        autoPromotionEnabled: false,
        prePromotionAnalysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'api-preview' }] },
      },
    }),
    service('api'),
    service('api-preview', { selector: appLabels('api') }),
    podDisruptionBudget('api'),
    autoscaler,
    analysisTemplate('success-rate'),
  ];
}

/** `site`: a canary Rollout behind ingress-nginx, with step analysis and a background cluster analysis. */
export function canaryRollout(): K8sObject[] {
  return [
    serviceAccount('site'),
    rollout(
      'site',
      {
        canary: {
          stableService: 'site',
          canaryService: 'site-canary',
          trafficRouting: { nginx: { stableIngress: 'site' } },
          analysis: { templates: [{ templateName: 'error-budget', clusterScope: true }], startingStep: 1 },
          steps: [
            { setWeight: 20 },
            { pause: { duration: '5m' } },
            { analysis: { templates: [{ templateName: 'success-rate' }, { templateName: 'smoke-test' }], args: [{ name: 'service-name', value: 'site-canary' }] } },
            { setWeight: 50 },
          ],
        },
      },
      { replicas: 3 },
    ),
    service('site'),
    service('site-canary', { selector: appLabels('site') }),
    podDisruptionBudget('site'),
    ingress('site', 'site-tls'),
    certificate('site-tls'),
    clusterAnalysisTemplate('error-budget'),
    serviceAccount('smoke-test'),
    jobAnalysisTemplate('smoke-test', 'smoke-test'),
  ];
}
