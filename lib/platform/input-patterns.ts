/** Shapes of configuration values that several constructs and the config validation accept. */

/** A Kubernetes DNS label (RFC 1123): namespaces, StorageClasses, most object names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** An https:// endpoint with an optional port and no path, e.g. Vault or an object store. */
export const HTTPS_ENDPOINT = /^https:\/\/[a-z0-9.-]+(:\d+)?\/?$/;

/** An IPv4 CIDR block, e.g. `10.0.0.0/28`. */
export const IPV4_CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** A path in Vault's KV engine, e.g. `generator-platform/production/redis`. */
export const VAULT_PATH = /^[a-z0-9]([-a-z0-9/]*[a-z0-9])?$/;
