import { stringify } from 'yaml';
import { INTERNAL_CA_TRUST_SECRET } from '../security/certificate-authority-trust';

/**
 * The RabbitMQ Messaging Topology Operator's kustomize patches: what the platform changes in the
 * upstream installation (config/installation/cert-manager) its add-on Application renders.
 */

/** One strategic-merge patch of a kustomize add-on's object. */
export interface KustomizePatch {
  readonly target: { readonly group: string; readonly kind: string; readonly name: string; readonly namespace?: string };
  /** The patch, as YAML. */
  readonly patch: string;
}

/** The Messaging Topology Operator's Deployment and container, as its kustomization names them (`config/manager`, prefix `messaging-topology-`). */
export const MESSAGING_TOPOLOGY_OPERATOR = { namespace: 'rabbitmq-system', deployment: 'messaging-topology-operator', container: 'manager' } as const;

/**
 * Both RabbitMQ operators' installations bring the Namespace `rabbitmq-system`. Argo CD tracks an
 * object by one Application's label, so two Applications that both render it take it from each
 * other on every sync (SharedResourceWarning) and never stop re-syncing: the real Argo CD test
 * found it (test/argocd/production-bootstrap.argocd.test.ts). The cluster operator, a wave
 * earlier, keeps it; the topology operator's copy is deleted from its render.
 */
export const NAMESPACE_OF_CLUSTER_OPERATOR_PATCH: KustomizePatch = {
  target: { group: '', kind: 'Namespace', name: MESSAGING_TOPOLOGY_OPERATOR.namespace },
  patch: stringify({ $patch: 'delete', apiVersion: 'v1', kind: 'Namespace', metadata: { name: MESSAGING_TOPOLOGY_OPERATOR.namespace } }),
};

/**
 * The operator calls RabbitMQ's management API over HTTPS only (the brokers disable non-TLS
 * listeners) and verifies it against its system trust store, so the cluster's internal CA joins
 * that store as one more file (https://www.rabbitmq.com/kubernetes/operator/tls-topology-operator).
 * Go reads the store once per process: when the CA itself changes (not when leaves renew), restart
 * the operator (docs/security.md, Rotation).
 */
export const TRUST_INTERNAL_CA_PATCH: KustomizePatch = {
  target: { group: 'apps', kind: 'Deployment', name: MESSAGING_TOPOLOGY_OPERATOR.deployment, namespace: MESSAGING_TOPOLOGY_OPERATOR.namespace },
  patch: stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: MESSAGING_TOPOLOGY_OPERATOR.deployment, namespace: MESSAGING_TOPOLOGY_OPERATOR.namespace },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: MESSAGING_TOPOLOGY_OPERATOR.container,
              volumeMounts: [{ name: INTERNAL_CA_TRUST_SECRET, mountPath: '/etc/ssl/certs/internal-ca.crt', subPath: 'ca.crt', readOnly: true }],
            },
          ],
          // Only the CA certificate: the trust Secret's key is never mounted.
          volumes: [{ name: INTERNAL_CA_TRUST_SECRET, secret: { secretName: INTERNAL_CA_TRUST_SECRET, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }],
        },
      },
    },
  }),
};
