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

/** An image repository: registry host (optional port) and path, lower case, no tag, e.g. `ghcr.io/acme/generator-platform-web`. */
export const IMAGE_REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/;

/** An image tag as the OCI distribution spec allows it, e.g. `1.4.2`. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A sha256 image digest as registries report it: `sha256:` and 64 lower-case hex digits. */
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
