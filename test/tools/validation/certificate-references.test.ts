import { stringify } from 'yaml';
import { CERTIFICATE_REFERENCE_RULES } from '../../../tools/validation/cross-references/certificate-references';
import { EnvironmentScope } from '../../../tools/validation/environment-scope';
import { parseManifestFile } from '../../../tools/validation/load-manifests';
import { ManifestObject } from '../../../tools/validation/manifest';
import { K8sObject } from './support/builders';

const [rule] = CERTIFICATE_REFERENCE_RULES;

function certificate(issuerRef: K8sObject): K8sObject {
  return { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web-tls', namespace: 'apps' }, spec: { secretName: 'web-tls', dnsNames: ['app.example.com'], issuerRef } };
}
const issuer = (name: string, namespace = 'apps'): K8sObject => ({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name, namespace }, spec: { selfSigned: {} } });
const clusterIssuer = (name: string): K8sObject => ({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name }, spec: { selfSigned: {} } });
const application = (name: string, folder: string): K8sObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: { project: 'p', source: { repoURL: 'https://example.com/repo.git', path: `dist/${folder}` }, destination: { server: 'https://kubernetes.default.svc', namespace: 'apps' } },
});

/** Problems the rule finds with the Certificate in `folder`, given every file of the validated folder. */
function problems(folder: string, files: Record<string, readonly K8sObject[]>): string[] {
  const objects: ManifestObject[] = Object.entries(files).flatMap(([file, docs]) => parseManifestFile(file, docs.map((doc) => stringify(doc)).join('---\n')));
  const scope = new EnvironmentScope(objects.filter((o) => o.environment === folder), objects);
  const target = objects.find((o) => o.environment === folder && o.kind === 'Certificate');
  return rule.check(target as ManifestObject, scope).map((violation) => violation.message);
}

describe('XREF-CERTIFICATE-ISSUER', () => {
  test('an Issuer resolves in the Certificate\'s namespace only, and issuerRef.kind defaults to Issuer', () => {
    expect(problems('development', { 'development/certs.yaml': [certificate({ name: 'internal-ca' }), issuer('internal-ca')] })).toEqual([]);
    expect(problems('development', { 'development/certs.yaml': [certificate({ name: 'internal-ca', kind: 'Issuer' }), issuer('internal-ca', 'other')] })).toEqual([
      'Issuer internal-ca is not a cert-manager Issuer rendered in namespace apps',
    ]);
  });

  test('a ClusterIssuer resolves in the same folder, or in a folder the same Argo CD (cluster) syncs', () => {
    const cert = certificate({ kind: 'ClusterIssuer', name: 'letsencrypt' });
    expect(problems('staging', { 'staging/certs.yaml': [cert, clusterIssuer('letsencrypt')] })).toEqual([]);
    // Previews share the development cluster: its ClusterIssuer serves them.
    const argoCd = {
      'argocd/development/apps.yaml': [application('development', 'development'), application('previews', 'preview')],
      'argocd/staging/apps.yaml': [application('staging', 'staging')],
      'development/certs.yaml': [clusterIssuer('letsencrypt')],
    };
    expect(problems('preview', { ...argoCd, 'preview/certs.yaml': [cert] })).toEqual([]);
    // Another cluster's ClusterIssuer does not.
    expect(problems('staging', { ...argoCd, 'staging/certs.yaml': [cert] })).toEqual([
      'ClusterIssuer letsencrypt is rendered neither in staging/ nor in a folder Argo CD syncs to the same cluster',
    ]);
  });

  test('an issuer of another API group (an external issuer) is not checked', () => {
    expect(problems('staging', { 'staging/certs.yaml': [certificate({ group: 'awspca.cert-manager.io', kind: 'AWSPCAClusterIssuer', name: 'pca' })] })).toEqual([]);
  });
});
