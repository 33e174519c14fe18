import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterPolicy, ClusterPolicySpecFailurePolicy, ClusterPolicySpecRules, ClusterPolicySpecRulesMatchAnyResourcesOperations } from '../../imports/kyverno.io';
import { DNS_LABEL } from '../platform/input-patterns';
import { PLATFORM_NAME } from '../platform/labels';
import { ICertificateIssuer } from './tls-certificate';

export interface InternalIssuerPolicyProps {
  /** The cluster's internal CA, a ClusterIssuer of cert-manager.io. */
  readonly issuer: ICertificateIssuer;
  /**
   * Namespaces (exact names) whose Certificates may name the issuer for any name: the
   * environments' and the operators' that trust the CA. Nothing else on the cluster may.
   */
  readonly trustedNamespaces: readonly string[];
  /**
   * Prefix of the pull-request preview namespaces, `<prefix><id>` (e.g. `generator-platform-`
   * for `generator-platform-pr-42`): their Certificates may name only the preview's own names.
   * @default - the cluster runs no previews: no preview namespace may use the issuer
   */
  readonly previewNamespacePrefix?: string;
  /**
   * How every preview id starts; the id is also the suffix of the preview's public host labels.
   * @default 'pr-'
   */
  readonly previewIdPrefix?: string;
  /**
   * Domain of the previews' public hostnames, `<name>-<id>.<domain>` (e.g. `app-pr-42.preview.example.com`).
   * @default - previews have no public names from a ClusterIssuer
   */
  readonly previewPublicDomain?: string;
  /**
   * Service names a preview's certificates carry without a namespace (`postgres-rw`, as
   * CloudNativePG names its server); any other single label is refused.
   * @default []
   */
  readonly previewShortServiceNames?: readonly string[];
  /**
   * The user of cert-manager's controller: in previews, the only one that may create
   * CertificateRequests (from a Certificate this policy has checked).
   * @default 'system:serviceaccount:cert-manager:cert-manager'
   */
  readonly certManagerUsername?: string;
  /**
   * Name of the ClusterPolicy. It is cluster-scoped: render it once per cluster.
   * @default 'restrict-internal-ca'
   */
  readonly policyName?: string;
}

const CERT_MANAGER_KINDS = ['cert-manager.io/v1/Certificate', 'cert-manager.io/v1/CertificateRequest'];
const CREATE_UPDATE = [ClusterPolicySpecRulesMatchAnyResourcesOperations.CREATE, ClusterPolicySpecRulesMatchAnyResourcesOperations.UPDATE];
/** One DNS label as a regular expression (no braces: Kyverno would read `{...}` as a variable). */
const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/** `{{ <expression> }}`: a Kyverno variable (JMESPath). */
const variable = (expression: string) => `{{ ${expression} }}`;
const escapeDots = (name: string) => name.split('.').join('\\.');

/**
 * A Kyverno ClusterPolicy that keeps the internal CA (a ClusterIssuer, which cert-manager lets
 * any namespace name) to the platform: Certificates and CertificateRequests that name it are
 * refused outside the trusted namespaces and the pull-request previews; it never signs a CA
 * (`isCA`, `cert sign`), which could sign any name; in a preview namespace a certificate from any
 * ClusterIssuer may carry only that preview's own names (`<service>[.<more>].<namespace>[.svc[.cluster.local]]`,
 * the listed short service names, `<name>-<id>.<preview domain>`), no URI, IP or e-mail SAN,
 * and only cert-manager may create the CertificateRequests there (a request's names are inside its
 * CSR, which the policy cannot read); no Kubernetes CSR may name the issuer's signer.
 *
 * Names are checked with `regex_match`, never with Kyverno's `In`/`AnyNotIn` operators: those
 * match wildcards both ways, so a requested name `*` would be "in" any allow-list.
 */
export class InternalIssuerPolicy extends Construct {
  public readonly policyName: string;

  public constructor(scope: Construct, id: string, props: InternalIssuerPolicyProps) {
    super(scope, id);
    const fail = (field: string, value: unknown, fix: string): never => {
      throw new Error(`InternalIssuerPolicy ${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
    };
    if (props.issuer.issuerKind !== 'ClusterIssuer') {
      fail('issuer.issuerKind', props.issuer.issuerKind, 'pass the ClusterIssuer of the internal CA: a namespaced Issuer is confined to its namespace already');
    }
    if (props.trustedNamespaces.length === 0 || props.trustedNamespaces.some((ns) => !DNS_LABEL.test(ns))) {
      fail('trustedNamespaces', props.trustedNamespaces, 'list the namespaces (exact names) whose certificates the CA signs');
    }
    const idPrefix = props.previewIdPrefix ?? 'pr-';
    const previewPrefix = props.previewNamespacePrefix;
    if (previewPrefix !== undefined && !DNS_LABEL.test(`${previewPrefix}${idPrefix}0`)) {
      fail('previewNamespacePrefix', previewPrefix, 'use the start of a namespace name, e.g. generator-platform-');
    }
    if (props.previewPublicDomain !== undefined && !DNS_NAME.test(props.previewPublicDomain)) {
      fail('previewPublicDomain', props.previewPublicDomain, 'use a lower-case DNS domain such as preview.example.com');
    }
    const shortNames = props.previewShortServiceNames ?? [];
    if (shortNames.some((name) => !DNS_LABEL.test(name))) {
      fail('previewShortServiceNames', shortNames, 'list single DNS labels (Service names)');
    }
    this.policyName = props.policyName ?? 'restrict-internal-ca';
    const certManager = props.certManagerUsername ?? 'system:serviceaccount:cert-manager:cert-manager';
    const issuerName = props.issuer.issuerName;
    const previewNamespaces = previewPrefix === undefined ? [] : [`${previewPrefix}${idPrefix}*`];

    const namesInternalCa = [
      { key: variable('request.object.spec.issuerRef.name'), operator: 'Equals', value: issuerName },
      { key: variable("request.object.spec.issuerRef.kind || 'Issuer'"), operator: 'Equals', value: 'ClusterIssuer' },
      { key: variable("request.object.spec.issuerRef.group || 'cert-manager.io'"), operator: 'Equals', value: 'cert-manager.io' },
    ];
    // A namespaced Issuer of cert-manager.io is the preview's own; anything else is cluster-wide.
    const namesClusterWideIssuer = {
      any: [
        { key: variable("request.object.spec.issuerRef.kind || 'Issuer'"), operator: 'NotEquals', value: 'Issuer' },
        { key: variable("request.object.spec.issuerRef.group || 'cert-manager.io'"), operator: 'NotEquals', value: 'cert-manager.io' },
      ],
    };
    const rules: ClusterPolicySpecRules[] = [
      {
        name: 'internal-ca-only-in-platform-namespaces',
        match: { any: [{ resources: { kinds: CERT_MANAGER_KINDS, operations: CREATE_UPDATE } }] },
        exclude: { any: [{ resources: { namespaces: [...props.trustedNamespaces, ...previewNamespaces] } }] },
        validate: {
          message: `The ClusterIssuer ${issuerName} signs for the platform's namespaces only (${[...props.trustedNamespaces, ...previewNamespaces].join(', ')}).`,
          deny: { conditions: { all: namesInternalCa } },
        },
      },
      {
        name: 'internal-ca-signs-no-ca',
        match: { any: [{ resources: { kinds: CERT_MANAGER_KINDS, operations: CREATE_UPDATE } }] },
        validate: {
          message: `The ClusterIssuer ${issuerName} signs leaf certificates only: isCA and the usages cert sign and crl sign are refused.`,
          deny: {
            conditions: {
              all: namesInternalCa,
              any: [
                { key: variable('request.object.spec.isCA || `false`'), operator: 'Equals', value: true },
                { key: variable('request.object.spec.usages || `[]`'), operator: 'AnyIn', value: ['cert sign', 'crl sign'] },
              ],
            },
          },
        },
      },
      {
        name: 'no-kubernetes-csr-for-internal-ca',
        match: { any: [{ resources: { kinds: ['certificates.k8s.io/v1/CertificateSigningRequest'], operations: CREATE_UPDATE } }] },
        validate: {
          message: `Kubernetes CertificateSigningRequests may not name the signer of ${issuerName}; use a Certificate.`,
          deny: { conditions: { all: [{ key: variable('request.object.spec.signerName'), operator: 'Equals', value: `clusterissuers.cert-manager.io/${issuerName}` }] } },
        },
      },
    ];
    if (previewPrefix !== undefined) {
      rules.push(
        this.previewNamesRule(previewNamespaces, namesClusterWideIssuer, previewNameRegex(previewPrefix, shortNames, props.previewPublicDomain)),
        {
          name: 'preview-certificate-requests-from-cert-manager-only',
          match: { any: [{ resources: { kinds: ['cert-manager.io/v1/CertificateRequest'], namespaces: previewNamespaces, operations: CREATE_UPDATE } }] },
          preconditions: namesClusterWideIssuer,
          validate: {
            message: 'In a preview, only cert-manager creates CertificateRequests for a ClusterIssuer, from a Certificate whose names were checked.',
            deny: { conditions: { all: [{ key: variable('request.userInfo.username'), operator: 'NotEquals', value: certManager }] } },
          },
        },
      );
    }

    const policy = new ClusterPolicy(this, 'Resource', {
      metadata: {
        name: this.policyName,
        labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' },
        annotations: {
          'policies.kyverno.io/title': `Keep the ClusterIssuer ${issuerName} to the platform`,
          'policies.kyverno.io/description': `Certificates naming ${issuerName} only in ${[...props.trustedNamespaces, ...previewNamespaces].join(', ')}; never a CA; previews only for their own names.`,
        },
      },
      spec: {
        // request.* variables exist only at admission, so no background scans.
        background: false,
        failurePolicy: ClusterPolicySpecFailurePolicy.FAIL,
        rules,
      },
    });
    // The generated enum knows only the lower-case spellings; Kyverno documents `Enforce`.
    policy.addJsonPatch(JsonPatch.add('/spec/validationFailureAction', 'Enforce'));
  }

  private previewNamesRule(previewNamespaces: readonly string[], namesClusterWideIssuer: object, nameRegex: string): ClusterPolicySpecRules {
    const spec = 'request.object.spec';
    const count = (list: string) => variable(`length(${spec}.${list} || \`[]\`)`);
    return {
      name: 'preview-certificates-name-the-preview-only',
      match: { any: [{ resources: { kinds: ['cert-manager.io/v1/Certificate'], namespaces: [...previewNamespaces], operations: CREATE_UPDATE } }] },
      preconditions: namesClusterWideIssuer,
      validate: {
        message: 'A preview certificate from a ClusterIssuer names only the preview: its Services (<service>.<namespace>[.svc[.cluster.local]]) and its hosts <name>-<id>.<preview domain>; no URI, IP or e-mail SAN.',
        deny: {
          conditions: {
            any: [
              { key: variable(`length((${spec}.dnsNames || \`[]\`)[?!regex_match('^(${nameRegex})$', @)])`), operator: 'GreaterThan', value: 0 },
              { key: variable(`regex_match('^(|${nameRegex})$', ${spec}.commonName || '')`), operator: 'Equals', value: false },
              { key: count('uris'), operator: 'GreaterThan', value: 0 },
              { key: count('ipAddresses'), operator: 'GreaterThan', value: 0 },
              { key: count('emailAddresses'), operator: 'GreaterThan', value: 0 },
              { key: count('otherNames'), operator: 'GreaterThan', value: 0 },
              { key: variable(`${spec}.literalSubject || ''`), operator: 'NotEquals', value: '' },
            ],
          },
        },
      },
    };
  }
}

/**
 * The names a preview's certificate may carry, as one regular expression over the admission
 * request: `{{request.namespace}}` and the preview id (the namespace without its prefix) are
 * filled in by Kyverno before the outer expression runs.
 */
function previewNameRegex(namespacePrefix: string, shortNames: readonly string[], publicDomain: string | undefined): string {
  // A namespace name is one DNS label: nothing in it to escape.
  const namespace = variable('request.namespace');
  const inNamespace = `(\\*|${LABEL})(\\.${LABEL})*\\.${namespace}(\\.svc(\\.cluster\\.local)?)?`;
  const previewId = variable(`trim_prefix(request.namespace, '${namespacePrefix}')`);
  const alternatives = [
    ...(shortNames.length > 0 ? [`(${shortNames.join('|')})`] : []),
    inNamespace,
    ...(publicDomain !== undefined ? [`${LABEL}-${previewId}\\.${escapeDots(publicDomain)}`] : []),
  ];
  return alternatives.join('|');
}
