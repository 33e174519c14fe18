import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { renderAllEnvironments } from '../../synth/render';

/**
 * The Vault PKI role in docs/security.md is what the operator applies before a sync; a Certificate
 * asking for a name the role refuses would never be issued. This reads the documented command and
 * checks it against every certificate the cluster CA signs in staging and production.
 */
const docs = fs.readFileSync(path.join(__dirname, '../../docs/security.md'), 'utf8');
const roleCommand = /vault write pki_int\/roles\/generator-platform-production \\\n([\s\S]*?)\n```/.exec(docs)![1];
const option = (name: string) => new RegExp(`${name}=(\\S+)`).exec(roleCommand)?.[1];
const files = renderAllEnvironments();

type Doc = { kind: string; metadata: { name: string; namespace?: string }; spec: { issuerRef?: { kind: string; name: string }; dnsNames?: string[] } };
const docsIn = (folder: string): Doc[] =>
  [...files].filter(([file]) => file.startsWith(folder) && file.endsWith('.yaml')).flatMap(([, content]) => parseAllDocuments(content).map((d) => d.toJS() as Doc));

/** Vault's rule: a name equal to an allowed domain (allow_bare_domains) or a subdomain of one (allow_subdomains). */
function signedBy(name: string, allowed: readonly string[]): boolean {
  return allowed.some((domain) => (option('allow_bare_domains') === 'true' && name === domain) || (option('allow_subdomains') === 'true' && name.endsWith(`.${domain}`)));
}

describe('the documented Vault PKI role', () => {
  test('is documented with the options this test reads, and no glob that would widen it', () => {
    expect(option('allowed_domains')).toBeDefined();
    expect(option('allow_glob_domains')).toBeUndefined();
    expect(option('max_ttl')).toBe(`${ENVIRONMENTS.production.certificates.durationHours}h`);
  });

  test.each(['staging', 'production'] as const)('signs every name %s asks the cluster CA for, and nothing outside its namespace but the operator trust name', (env) => {
    // The documented role is production's; staging's differs only by its namespace, which is the same here.
    expect(ENVIRONMENTS[env].namespace).toBe(ENVIRONMENTS.production.namespace);
    const allowed = option('allowed_domains')!.split(',');
    const internal = [...docsIn(`${env}/`), ...docsIn(`argocd/${env}/certificate-authority/`)].filter(
      (d) => d.kind === 'Certificate' && d.spec.issuerRef?.kind === 'ClusterIssuer' && d.spec.issuerRef.name === 'internal-ca',
    );
    expect(internal.length).toBeGreaterThan(5);
    const refused = internal.flatMap((certificate) => (certificate.spec.dnsNames ?? []).filter((name) => !signedBy(name, allowed)).map((name) => `${certificate.metadata.name}: ${name}`));
    expect(refused).toEqual([]);
    // The role cannot sign a public hostname of the platform.
    expect(signedBy(ENVIRONMENTS[env].webHostname, allowed)).toBe(false);
    expect(signedBy(ENVIRONMENTS[env].apiHostname, allowed)).toBe(false);
  });
});
