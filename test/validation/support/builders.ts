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

export function serviceAccount(name: string): K8sObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name), automountServiceAccountToken: false };
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

export function ingress(app: string, tlsSecret: string): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta(app),
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

export function serviceMonitor(app: string): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: meta(app),
    spec: { selector: { matchLabels: appLabels(app) }, endpoints: [{ port: 'http', path: '/metrics' }] },
  };
}

export function podMonitor(name: string, podLabels: Record<string, string>, port: string): K8sObject {
  return { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: meta(name), spec: { selector: { matchLabels: podLabels }, podMetricsEndpoints: [{ port }] } };
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
    metadata: meta(app, appLabels(app)),
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
  return { apiVersion: 'rabbitmq.com/v1beta1', kind: 'RabbitmqCluster', metadata: meta(name), spec: { replicas: 3 } };
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
    spec: { instances: 3, storage: { size: '10Gi' }, bootstrap: { initdb: { database: 'app', owner: 'app', secret: { name: ownerSecret } } } },
  };
}

export function postgresPooler(name: string, cluster: string): K8sObject {
  return { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Pooler', metadata: meta(name), spec: { cluster: { name: cluster }, instances: 2, type: 'rw', pgbouncer: { poolMode: 'transaction' } } };
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
  return [
    namespace(),
    defaultDenyNetworkPolicy(),
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
    allowFromNetworkPolicy('queue-allow-generator', { 'app.kubernetes.io/name': 'queue', 'app.kubernetes.io/component': 'rabbitmq' }, 'generator', 5672),
    postgresCluster('db', 'db-owner'),
    externalSecret('db-owner'),
    postgresPooler('db-pooler', 'db'),
    podMonitor('db', { 'cnpg.io/cluster': 'db' }, 'metrics'),
    { ...serviceMonitor('queue'), spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'queue' } }, endpoints: [{ port: 'prometheus' }] } },
    allowFromNetworkPolicy('db-allow-pooler', { 'cnpg.io/cluster': 'db', 'cnpg.io/instanceRole': 'primary' }, 'web', 5432),
    serviceAccount('cache'),
    statefulSet('cache', 'cache-headless'),
    service('cache-headless', { clusterIP: 'None', selector: appLabels('cache'), ports: [{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }] }),
    serviceAccount('reports'),
    persistentVolumeClaim('reports'),
    cronJob('reports', 'reports'),
  ];
}
