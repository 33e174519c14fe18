import { k8s } from 'cdk8s-plus-27';
import { gibibytes, memoryQuantity } from '../platform/quantities';
import { SERVER_TLS_ROOT } from '../workloads/workload-conventions';
import { LongRunningServiceProps, shutdownTimeoutSeconds } from './long-running-service-props';

/** The volumes of a service's pod and their mounts in its container, as two lists that stay open for trusted CAs. */
export interface ServicePodVolumes {
  readonly volumes: k8s.Volume[];
  readonly volumeMounts: k8s.VolumeMount[];
}

/** Scratch folders, the server key pair and, for a worker, its per-pod workspace volume. */
export function servicePodVolumes(props: LongRunningServiceProps, serverTlsSecretName: string, labels: Readonly<Record<string, string>>): ServicePodVolumes {
  const scratchVolumes = props.scratchVolumes ?? [{ name: 'tmp', mountPath: '/tmp', sizeLimitMi: 1024 }];
  const volumes: k8s.Volume[] = scratchVolumes.map((v) => ({ name: v.name, emptyDir: { sizeLimit: memoryQuantity(v.sizeLimitMi) } }));
  const volumeMounts: k8s.VolumeMount[] = scratchVolumes.map((v) => ({ name: v.name, mountPath: v.mountPath }));
  // The folder, not the files (subPath), so that the kubelet swaps in a renewed key pair; the
  // process re-reads it (container contract): no restart, which for a Rollout would be a release.
  volumes.push({
    name: 'server-tls',
    secret: {
      secretName: serverTlsSecretName,
      items: ['tls.crt', 'tls.key', 'ca.crt'].map((key) => ({ key, path: key })),
      defaultMode: 0o440,
    },
  });
  volumeMounts.push({ name: 'server-tls', mountPath: SERVER_TLS_ROOT, readOnly: true });
  if (props.workspaceMountPath) {
    volumes.push({
      name: 'workspace',
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: { ...labels } },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.workspaceStorageClass,
            resources: { requests: { storage: gibibytes(props.resources.storageGi) } },
          },
        },
      },
    });
    volumeMounts.push({ name: 'workspace', mountPath: props.workspaceMountPath });
  }
  return { volumes, volumeMounts };
}

/** What every service's process reads: its pod, ports, key pair, shutdown budget and log level, then the service's own variables. */
export function servicePodEnvironment(props: LongRunningServiceProps, metricsPort: number): k8s.EnvVar[] {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ...(props.httpPort !== undefined ? [{ name: 'PORT', value: String(props.httpPort) }] : []),
    { name: 'METRICS_PORT', value: String(metricsPort) },
    { name: 'TLS_CERT_FILE', value: `${SERVER_TLS_ROOT}/tls.crt` },
    { name: 'TLS_KEY_FILE', value: `${SERVER_TLS_ROOT}/tls.key` },
    { name: 'SHUTDOWN_TIMEOUT_SECONDS', value: String(shutdownTimeoutSeconds(props)) },
    { name: 'LOG_LEVEL', value: props.logLevel ?? 'info' },
    ...Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
  ];
}
