import { EnvironmentConfig } from './environment-config';
import { CaBundle } from '../security/ca-bundle';

type Fail = (field: string, value: unknown, problem: string, fix: string) => never;

/** A PEM is long and multi-line: an error shows its start and its length, on one line. */
const SHOWN_CHARACTERS = 40;

/**
 * Checks the CA bundles the TLS clients toward endpoints we do not issue trust: Vault's, and the
 * object store's when one is given. (That a private object store needs one is the postgres
 * construct's rule, reported as postgres.backupEndpointCaBundlePem.)
 */
export function validateTrustConfig(config: EnvironmentConfig, fail: Fail): void {
  checkBundle('vaultCaBundlePem', config.vaultCaBundlePem, `the CA that signs the certificate of ${config.vaultAddress}`, fail);
  const { backupEndpointUrl, backupEndpointCaBundlePem } = config.postgres;
  if (backupEndpointCaBundlePem !== undefined) {
    checkBundle('postgres.backupEndpointCaBundlePem', backupEndpointCaBundlePem, `the CA that signs the certificate of ${backupEndpointUrl}`, fail);
  }
}

function checkBundle(field: string, pem: string, whichCa: string, fail: Fail): void {
  const problem = CaBundle.problemOf(pem);
  if (problem !== undefined) {
    fail(field, shortened(pem), `not a CA bundle: ${problem}`, `paste the PEM of ${whichCa} (BEGIN CERTIFICATE blocks only; a CA certificate is public, never put a key here)`);
  }
}

/** The first characters of a PEM and its length, so that the error stays one readable line. */
function shortened(pem: unknown): unknown {
  if (typeof pem !== 'string' || pem.length <= SHOWN_CHARACTERS + 20) {
    return pem;
  }
  return `${pem.slice(0, SHOWN_CHARACTERS)}… (${pem.length} characters)`;
}
