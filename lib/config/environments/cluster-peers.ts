import { ClusterPeerConfig } from '../environment-config';

/** ingress-nginx as its official Helm chart labels the controller pods. */
export const INGRESS_NGINX_CONTROLLER: ClusterPeerConfig = {
  namespace: 'ingress-nginx',
  podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
};

/** Prometheus as kube-prometheus-stack labels its server pods. */
export const KUBE_PROMETHEUS: ClusterPeerConfig = {
  namespace: 'monitoring',
  podLabels: { 'app.kubernetes.io/name': 'prometheus' },
};

/** The HTTP API of kube-prometheus-stack's Prometheus (release name kube-prometheus-stack, namespace monitoring). */
export const KUBE_PROMETHEUS_URL = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

/** KEDA as its official Helm chart labels the operator pods. */
export const KEDA_OPERATOR: ClusterPeerConfig = {
  namespace: 'keda',
  podLabels: { 'app.kubernetes.io/name': 'keda-operator' },
};
