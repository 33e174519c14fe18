import { LOGGING_NAMESPACE } from './logging-settings';

/**
 * The ClusterSecretStore of the logging stack: its own store and Vault role
 * (`generator-platform-logging`), serving the `logging` namespace only, so Loki's bucket
 * credentials do not depend on an environment's store, which serves that environment only and
 * arrives a wave later than Loki needs it.
 */
export const LOGGING_SECRET_STORE = { storeName: 'vault-logging', role: 'generator-platform-logging', namespace: LOGGING_NAMESPACE } as const;
