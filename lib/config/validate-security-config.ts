import { EnvironmentConfig, EnvironmentName } from './environment-config';
import { isFullSize, SPEC_MIN_REPLICAS } from './spec-minimums';
import { DNS_LABEL, IPV4_CIDR } from '../platform/input-patterns';
import { validateTrustConfig } from './validate-trust-config';

type Fail = (field: string, value: unknown, problem: string, fix: string) => never;

const HTTPS_URL = /^https:\/\/[a-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/;
const EMAIL = /^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const CLAIM = /^[A-Za-z_][A-Za-z0-9_:./-]*$/;
const PUBLIC_PATH = /^\/[A-Za-z0-9._~/-]*$/;
const PKI_SIGN_PATH = /^[a-z0-9_-]+(\/[a-z0-9_-]+)*\/sign\/[a-z0-9_-]+$/;
const REGISTRY_HOST = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?$/;
/** Let's Encrypt never issues for longer; internal leaves follow the same cadence. */
const MAX_DURATION_HOURS = 2160;
/** cert-manager refuses a renewal window under 5 minutes; an hour is the least that leaves room to act. */
const MIN_RENEW_BEFORE_HOURS = 1;
const MAX_SESSION_HOURS = 24;

/** Checks the certificates, sign-in, trusted CAs, egress and registry settings of one environment. */
export function validateSecurityConfig(config: EnvironmentConfig, fail: Fail): void {
  validateCertificates(config, fail);
  validateAuthentication(config, fail);
  validateTrustConfig(config, fail);
  for (const field of ['aiProviderCidrs', 'objectStorageCidrs', 'identityProviderCidrs'] as const) {
    const cidrs = config.egress[field];
    if (cidrs.length === 0) {
      fail(`egress.${field}`, cidrs, 'empty, so the flow it serves would be blocked', 'list the CIDRs the provider publishes');
    }
    for (const cidr of cidrs) {
      if (!IPV4_CIDR.test(cidr) || cidr.endsWith('/0')) {
        fail(`egress.${field}`, cidrs, `${JSON.stringify(cidr)} is not a bounded IPv4 CIDR`, 'list the provider\'s own ranges, e.g. 52.218.0.0/17, never 0.0.0.0/0');
      }
    }
  }
  if (!REGISTRY_HOST.test(config.imageRegistry.server)) {
    fail('imageRegistry.server', config.imageRegistry.server, 'not a registry host name', 'use the registry host of the images, e.g. ghcr.io');
  }
}

function validateCertificates(config: EnvironmentConfig, fail: Fail): void {
  const { publicIssuer, internalCa, durationHours, renewBeforeHours } = config.certificates;
  const reduced = !isFullSize(config.name);
  if (publicIssuer.kind === 'acme') {
    if (!DNS_LABEL.test(publicIssuer.clusterIssuerName)) {
      fail('certificates.publicIssuer.clusterIssuerName', publicIssuer.clusterIssuerName, 'not a valid ClusterIssuer name', 'use a DNS label such as letsencrypt-production');
    }
    if (!HTTPS_URL.test(publicIssuer.server)) {
      fail('certificates.publicIssuer.server', publicIssuer.server, 'not an https:// ACME directory URL', 'use e.g. https://acme-v02.api.letsencrypt.org/directory');
    }
    if (!EMAIL.test(publicIssuer.email)) {
      fail('certificates.publicIssuer.email', publicIssuer.email, 'not an e-mail address', 'give the team address the CA sends expiry notices to');
    }
  } else if (!reduced) {
    fail('certificates.publicIssuer', publicIssuer.kind, `${config.name} hostnames are public and browsers do not trust the internal CA`, "use an ACME issuer (LETS_ENCRYPT in lib/config/environments/security.ts)");
  }
  if (internalCa.kind === 'self-signed' && !reduced) {
    fail('certificates.internalCa', internalCa.kind, `a self-signed root is for development and preview only; ${config.name} needs a CA with audit and revocation`, "use { kind: 'vault-pki', signPath, role }");
  }
  if (internalCa.kind === 'vault-pki') {
    if (!PKI_SIGN_PATH.test(internalCa.signPath)) {
      fail('certificates.internalCa.signPath', internalCa.signPath, 'not a Vault PKI sign path', 'use <pki mount>/sign/<role>, e.g. pki_int/sign/generator-platform-production');
    }
    if (!DNS_LABEL.test(internalCa.role)) {
      fail('certificates.internalCa.role', internalCa.role, 'not a Vault Kubernetes-auth role name', 'name the role cert-manager logs in with, e.g. cert-manager-generator-platform-production');
    }
  }
  if (!Number.isInteger(durationHours) || durationHours < 24 || durationHours > MAX_DURATION_HOURS) {
    fail('certificates.durationHours', durationHours, `must be a whole number of hours from 24 to ${MAX_DURATION_HOURS}`, 'use 2160 (90 days)');
  }
  if (!Number.isInteger(renewBeforeHours) || renewBeforeHours < MIN_RENEW_BEFORE_HOURS || renewBeforeHours * 2 > durationHours) {
    fail('certificates.renewBeforeHours', renewBeforeHours, `must be a whole number of hours from ${MIN_RENEW_BEFORE_HOURS} to half of durationHours (${durationHours / 2})`, 'use a third of the lifetime, e.g. 720 for 2160');
  }
}

function validateAuthentication(config: EnvironmentConfig, fail: Fail): void {
  const auth = config.authentication;
  if (!HTTPS_URL.test(auth.issuerUrl)) {
    fail('authentication.issuerUrl', auth.issuerUrl, 'not an https:// OIDC issuer URL', 'use the issuer of the identity provider, e.g. https://login.example.com/realms/platform');
  }
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(auth.clientId)) {
    fail('authentication.clientId', auth.clientId, 'not an OAuth2 client id', 'use the client id registered at the identity provider');
  }
  if (!CLAIM.test(auth.groupsClaim)) {
    fail('authentication.groupsClaim', auth.groupsClaim, 'not a claim name', 'use the ID-token claim that lists groups, e.g. groups');
  }
  if (auth.allowedGroups.length === 0) {
    fail('authentication.allowedGroups', auth.allowedGroups, 'empty, so every account of the identity provider would get in', 'list the groups that may use this environment');
  }
  if (!CLAIM.test(auth.mfa.claim)) {
    fail('authentication.mfa.claim', auth.mfa.claim, 'not a claim name', 'use the claim the provider asserts MFA in, e.g. amr');
  }
  if (auth.mfa.acceptedValues.length === 0 || auth.mfa.acceptedValues.some((value) => value.trim() === '' || value.includes(','))) {
    fail('authentication.mfa.acceptedValues', auth.mfa.acceptedValues, 'must list at least one non-empty value without commas', "list the values that prove MFA, e.g. ['mfa']");
  }
  if (!Number.isInteger(auth.sessionHours) || auth.sessionHours < 1 || auth.sessionHours > MAX_SESSION_HOURS) {
    fail('authentication.sessionHours', auth.sessionHours, `must be a whole number from 1 to ${MAX_SESSION_HOURS}`, 'use a working day, e.g. 8');
  }
  if (!Number.isInteger(auth.refreshMinutes) || auth.refreshMinutes < 1 || auth.refreshMinutes >= auth.sessionHours * 60) {
    fail('authentication.refreshMinutes', auth.refreshMinutes, `must be a whole number of minutes below the session lifetime (${auth.sessionHours * 60})`, 'use e.g. 4, so a revoked account loses access within 4 minutes');
  }
  if (!Number.isInteger(auth.idTokenLifetimeMinutes) || auth.idTokenLifetimeMinutes < 1) {
    fail('authentication.idTokenLifetimeMinutes', auth.idTokenLifetimeMinutes, 'must be a whole number of minutes', "use the identity provider's ID token lifetime, e.g. 5 (Keycloak's default access token lifespan)");
  }
  if (auth.refreshMinutes >= auth.idTokenLifetimeMinutes) {
    fail('authentication.refreshMinutes', auth.refreshMinutes, `is not below the ID token lifetime (${auth.idTokenLifetimeMinutes} minutes): oauth2-proxy would forward expired ID tokens, which web and api refuse`, `set refreshMinutes below ${auth.idTokenLifetimeMinutes}, or raise the provider's token lifespan and idTokenLifetimeMinutes with it`);
  }
  for (const field of ['webPublicPaths', 'apiPublicPaths'] as const) {
    for (const path of auth[field]) {
      if (!PUBLIC_PATH.test(path) || path === '/') {
        fail(`authentication.${field}`, auth[field], `${JSON.stringify(path)} is not a path below /`, 'list only health and webhook paths, e.g. /healthz or /webhooks/');
      }
    }
  }
  const replicas = auth.proxyReplicas;
  if (!Number.isInteger(replicas.min) || replicas.min < 1 || !Number.isInteger(replicas.max) || replicas.max < replicas.min) {
    fail('authentication.proxyReplicas', replicas.toString(), 'must be whole numbers with 1 <= min <= max', 'use Replicas.fixed(1) or Replicas.autoscaled({ min: 2, max: 4 })');
  }
  // Every request to web and api waits for the proxy: one pod must be able to fail.
  if (isFullSize(config.name) && replicas.min < SPEC_MIN_REPLICAS) {
    fail('authentication.proxyReplicas', replicas.toString(), `${config.name} must run at least ${SPEC_MIN_REPLICAS} sign-in proxies, because every request to web and api waits for one`, `set authentication.proxyReplicas to Replicas.autoscaled({ min: ${SPEC_MIN_REPLICAS}, max: 4 })`);
  }
  if (config.name === EnvironmentName.PRODUCTION && auth.mfa.acceptedValues.length === 0) {
    fail('authentication.mfa.acceptedValues', auth.mfa.acceptedValues, 'production requires MFA', "list the values that prove MFA, e.g. ['mfa']");
  }
}
