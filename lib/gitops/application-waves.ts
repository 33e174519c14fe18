/**
 * The order the root Application brings a cluster up in, one sync wave per step (lowest first).
 * The root waits until every Application of a wave is synced, its sync succeeded and it is healthy
 * (the Application health check of docs/gitops.md) before it starts the next, so everything an
 * Application needs (its namespace, the CRDs and webhooks of its kinds, its secret store, its
 * issuer) must come from an Application of an earlier wave. The validation gate checks this over
 * dist/argocd (rule ARGOCD-WAVE-ORDER).
 */
export enum ApplicationWave {
  /** The AppProjects every other Application names. */
  PROJECTS = -4,
  /** Add-ons whose CRDs or webhooks other add-ons need: cert-manager, the Prometheus operator's CRDs. */
  FOUNDATION = -3,
  /** Every other operator, and the node log agent (it buffers until Loki answers). */
  OPERATORS = -2,
  /**
   * What needs the operators' CRDs and webhooks and is shared by the cluster: the cluster-scoped
   * objects (namespaces, secret stores, cluster issuers, admission policies), the internal CA,
   * and the operators that trust the CA.
   */
  CLUSTER_BASELINE = -1,
  /** Loki and Grafana: their credentials (bucket, admin) come through secret stores of CLUSTER_BASELINE. */
  LOGGING = 0,
  /** The environments and the pull-request previews. */
  ENVIRONMENTS = 1,
}
