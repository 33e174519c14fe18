/** The namespace of kube-prometheus-stack and Grafana on every cluster. */
export const MONITORING_NAMESPACE = 'monitoring';

/**
 * The ClusterSecretStore of the monitoring stack: its own store and Vault role
 * (`generator-platform-monitoring`), serving the `monitoring` namespace only, as the logging
 * stack's `vault-logging` serves `logging`: Grafana's admin credentials then depend on no
 * environment's store, and the role's Vault policy can read exactly the cluster's Grafana entry.
 */
export const MONITORING_SECRET_STORE = { storeName: 'vault-monitoring', role: 'generator-platform-monitoring', namespace: MONITORING_NAMESPACE } as const;
