import { Chart } from 'cdk8s';
import { Replicas } from '../../lib/platform/replicas';
import { NamespaceBaseline } from '../../lib/platform/namespace-baseline';
import { ClusterPeer } from '../../lib/platform/network-peer';
import { emptyChart } from './kube';

export const IMAGE = { repository: 'ghcr.io/acme/svc', tag: '1.0.0' };
export const PINNED_IMAGE = { ...IMAGE, digest: 'sha256:' + 'b'.repeat(64) };
export const prometheus = new ClusterPeer('prometheus', 'monitoring', { 'app.kubernetes.io/name': 'prometheus' });
export const ingressController = new ClusterPeer('ingress-nginx', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' });

/** A chart with a namespace baseline to put services in. */
export function serviceScope(): { chart: Chart; namespace: NamespaceBaseline } {
  const chart = emptyChart();
  return { chart, namespace: new NamespaceBaseline(chart, 'namespace', { namespaceName: 'apps' }) };
}

export const smallResources = { cpuMillis: 500, memoryMi: 512, storageGi: 4 };
export const oneReplica = Replicas.fixed(1);

/** The issuer and lifetime of a public hostname's certificate, as web and api take them. */
export const publicTls = {
  tlsIssuer: { issuerName: 'ca', issuerKind: 'Issuer' as const },
  tlsCertificateLifetime: { durationHours: 2160, renewBeforeHours: 720 },
};
