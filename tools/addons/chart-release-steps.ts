import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';

/**
 * The steps a chart's release process runs on its Git tree before it publishes the package, for
 * the charts whose published package is not their Git tree. Each step writes into a temporary
 * copy of the chart (never into the repository or the mirror) and follows the upstream script
 * named beside it, so that `helm template` of the copy renders what the published package renders.
 */
export interface ReleaseStepInput {
  /** The temporary copy of the chart (the `chart` tree). */
  readonly chartDir: string;
  /** The mirror copies of the entry's `release-input` trees, by their repository path. */
  readonly inputs: ReadonlyMap<string, string>;
  /** The release's version: the Application's targetRevision. */
  readonly version: string;
}

type ReleaseStep = (input: ReleaseStepInput) => void;

export const RELEASE_STEPS: Readonly<Record<string, ReleaseStep>> = {
  'cert-manager': certManagerRelease,
  'external-secrets': externalSecretsRelease,
};

export function runReleaseStep(name: string, input: ReleaseStepInput): void {
  const step = RELEASE_STEPS[name];
  if (!step) {
    throw new Error(`addons.lock.json names release step "${name}", which tools/addons/chart-release-steps.ts does not define (${Object.keys(RELEASE_STEPS).join(', ')})`);
  }
  step(input);
}

function inputTree(input: ReleaseStepInput, repositoryPath: string): string {
  const tree = input.inputs.get(repositoryPath);
  if (!tree) {
    throw new Error(`the release step needs the release-input tree ${repositoryPath} in addons.lock.json`);
  }
  return tree;
}

function yamlFilesIn(dir: string, except: readonly string[] = []): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') && !except.includes(name))
    .sort()
    .map((name) => path.join(dir, name));
}

/**
 * cert-manager make/manifests.mk (tag v1.14.7): Chart.yaml is Chart.template.yaml with version
 * and appVersion set to the release tag, the prerelease annotation and the signing key from
 * signkey_annotation.txt (yq); templates/crds.yaml is deploy/crds/*.yaml joined by
 * hack/concat-yaml.sh (`---` between files) inside `{{- if .Values.installCRDs }}`.
 */
function certManagerRelease(input: ReleaseStepInput): void {
  const template = path.join(input.chartDir, 'Chart.template.yaml');
  const chart = parse(fs.readFileSync(template, 'utf8')) as Record<string, unknown>;
  const annotations = { ...(chart.annotations as Record<string, string>) };
  annotations['artifacthub.io/signKey'] = fs.readFileSync(path.join(input.chartDir, 'signkey_annotation.txt'), 'utf8');
  annotations['artifacthub.io/prerelease'] = String(input.version.includes('-'));
  fs.writeFileSync(path.join(input.chartDir, 'Chart.yaml'), stringify({ ...chart, annotations, version: input.version, appVersion: input.version }));
  fs.rmSync(template);
  const crds = yamlFilesIn(inputTree(input, 'deploy/crds')).map((file) => fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(path.join(input.chartDir, 'templates', 'crds.yaml'), `{{- if .Values.installCRDs }}\n${crds.join('---\n')}{{- end }}\n`);
}

/** hack/helm.generate.sh (tag helm-chart-0.9.20) inserts these after the first `annotations` line of each CRD. */
const EXTERNAL_SECRETS_CRD_ANNOTATIONS = [
  '    {{- with .Values.crds.annotations }}',
  '    {{- toYaml . | nindent 4}}',
  '    {{- end }}',
  '    {{- if and .Values.crds.conversion.enabled .Values.webhook.certManager.enabled .Values.webhook.certManager.addInjectorAnnotations }}',
  '    cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "external-secrets.fullname" . }}-webhook',
  '    {{- end }}',
];

/**
 * external-secrets at tag helm-chart-0.9.20: hack/crd.generate.sh gives every CRD of
 * config/crds/bases a conversion webhook (service kubernetes/default, path /convert, review
 * version v1) in bundle.yaml; hack/helm.generate.sh writes each as templates/crds/<singular>.yaml
 * inside `installCRDs` (and `crds.create<Kind>` for Cluster* kinds and PushSecret), points the
 * webhook at the chart's webhook Service in the release namespace, adds the annotations above and
 * puts the conversion under `crds.conversion.enabled`.
 */
function externalSecretsRelease(input: ReleaseStepInput): void {
  const target = path.join(input.chartDir, 'templates', 'crds');
  fs.mkdirSync(target, { recursive: true });
  for (const file of yamlFilesIn(inputTree(input, 'config/crds/bases'), ['kustomization.yaml'])) {
    const crd = parse(fs.readFileSync(file, 'utf8')) as { spec: { names: { kind: string; singular: string }; conversion?: unknown } };
    crd.spec.conversion = {
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 'kubernetes', namespace: 'default', path: '/convert' } } },
    };
    const kind = crd.spec.names.kind;
    const condition = kind.includes('Cluster') || kind.includes('PushSecret') ? `and (.Values.installCRDs) (.Values.crds.create${kind})` : '.Values.installCRDs';
    const lines = `{{- if ${condition} }}\n${stringify(crd, { lineWidth: 0 })}{{- end }}`
      .replace(/name: kubernetes/g, 'name: {{ include "external-secrets.fullname" . }}-webhook')
      .replace(/namespace: default/g, 'namespace: {{ .Release.Namespace | quote }}')
      .split('\n');
    const annotations = lines.findIndex((line) => line.includes('annotations'));
    const conversion = lines.findIndex((line) => line.includes('  conversion:'));
    if (annotations < 0 || conversion < annotations) {
      throw new Error(`${file}: expected metadata.annotations before spec.conversion, as hack/helm.generate.sh does`);
    }
    lines.splice(conversion, 0, '{{- if .Values.crds.conversion.enabled }}');
    lines.splice(annotations + 1, 0, ...EXTERNAL_SECRETS_CRD_ANNOTATIONS);
    fs.writeFileSync(path.join(target, `${crd.spec.names.singular}.yaml`), `${lines.join('\n')}\n{{- end }}\n`);
  }
}
