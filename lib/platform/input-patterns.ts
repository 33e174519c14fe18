/** Shapes of configuration values that several constructs and the config validation accept. */

/** A Kubernetes DNS label (RFC 1123): namespaces, StorageClasses, most object names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** An https:// endpoint with an optional port and no path, e.g. Vault or an object store. */
export const HTTPS_ENDPOINT = /^https:\/\/[a-z0-9.-]+(:\d+)?\/?$/;

/** An IPv4 CIDR block, e.g. `10.0.0.0/28`. */
export const IPV4_CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** A path in Vault's KV engine, e.g. `generator-platform/production/redis`. */
export const VAULT_PATH = /^[a-z0-9]([-a-z0-9/]*[a-z0-9])?$/;

/** A fully qualified lower-case DNS name of at most 253 characters, e.g. `app.example.com`: public hostnames. */
export const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
