import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { CLUSTERS } from '../../lib/config/clusters';
import { ApplicationWave } from '../../lib/gitops/application-waves';
import { GRAFANA_ADMIN_SECRET, GRAFANA_PODS, GRAFANA_RELEASE } from '../../lib/gitops/grafana-values';
import { renderAllEnvironments } from '../../synth/render';
import { AddonApplication, addonApplicationsIn } from '../../tools/addons/addon-applications';
import { lockEntryFor, readAddonLock } from '../../tools/addons/addon-lock';
import { builtInApiVersions } from '../../tools/addons/cluster-api-versions';
import { renderAddon } from '../../tools/addons/render-addon';
import { RenderedAddon, objectsOf, writeRenderedAddons } from '../../tools/addons/render-addons';
import { labelSelectorMatches } from '../../tools/validation/label-selector';
import { ValidationResult, validateDirectory } from '../../tools/validation/validate-directory';
import { tempDirsRemovedAfterAll } from '../support/files';

/**
 * Grafana as Argo CD renders it: `helm template` of the pinned grafana and kube-prometheus-stack
 * charts (addons.lock.json) with the Applications' values of every cluster, synthesized now, and
 * the validation gate over dist/ plus the rendered releases.
 */
const makeTempDir = tempDirsRemovedAfterAll();
const KUBE_PROMETHEUS_STACK = 'kube-prometheus-stack';
const ADMIN_PASSWORD_KEY = 'admin-password';

let dist: string;
let rendered: RenderedAddon[] = [];
/** kube-prometheus-stack of production with the chart's own Grafana, as the values were before. */
let bundledGrafana: any[] = [];

async function render(application: AddonApplication): Promise<string> {
  return renderAddon({ application, entry: lockEntryFor(readAddonLock(), application.lockedSource), apiVersions: builtInApiVersions(), workDir: makeTempDir('grafana-render-') });
}

/** The same Application with `grafana` of its Helm values replaced. */
function withGrafanaValues(application: AddonApplication, grafana: unknown): AddonApplication {
  const helm = application.source.helm as { valuesObject: Record<string, unknown> };
  return { ...application, source: { ...application.source, helm: { ...helm, valuesObject: { ...helm.valuesObject, grafana } } } };
}

beforeAll(async () => {
  dist = makeTempDir('grafana-dist-');
  for (const [file, content] of renderAllEnvironments()) {
    fs.mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
    fs.writeFileSync(path.join(dist, file), content);
  }
  const applications = addonApplicationsIn(dist).filter((application) => [GRAFANA_RELEASE, KUBE_PROMETHEUS_STACK].includes(application.name));
  rendered = await Promise.all(applications.map(async (application) => ({ application, yaml: await render(application) })));
  const productionStack = applications.find((application) => application.cluster === 'production' && application.name === KUBE_PROMETHEUS_STACK)!;
  bundledGrafana = objectsOf(await render(withGrafanaValues(productionStack, { enabled: true })));
}, 300_000);

function objectsOfRelease(cluster: string, name: string): any[] {
  const addon = rendered.find((candidate) => candidate.application.cluster === cluster && candidate.application.name === name);
  if (!addon) {
    throw new Error(`add-on ${name} of cluster ${cluster} was not rendered`);
  }
  return objectsOf(addon.yaml);
}

/** Secrets whose data or stringData hold an admin password. */
const adminPasswordSecrets = (objects: readonly any[]) =>
  objects.filter((o) => o.kind === 'Secret' && (ADMIN_PASSWORD_KEY in (o.data ?? {}) || ADMIN_PASSWORD_KEY in (o.stringData ?? {}))).map((o) => o.metadata.name);

test("the chart's own Grafana, as kube-prometheus-stack rendered it before, has a Secret with the default admin password (so the check below can fail)", () => {
  const [secret] = bundledGrafana.filter((o) => adminPasswordSecrets([o]).length > 0);
  expect(secret.metadata.name).toBe('kube-prometheus-stack-grafana');
  expect(Buffer.from(secret.data[ADMIN_PASSWORD_KEY], 'base64').toString()).toBe('prom-operator');
});

describe.each(CLUSTERS.map((c) => [c.name] as const))('Grafana of the %s cluster, rendered by helm template', (clusterName) => {
  const grafana = () => objectsOfRelease(clusterName, GRAFANA_RELEASE);
  const deployment = () => grafana().find((o) => o.kind === 'Deployment' && o.metadata.name === GRAFANA_RELEASE);

  test('renders no Secret with an admin password, in the Grafana release or in kube-prometheus-stack', () => {
    expect(grafana().filter((o) => o.kind === 'Secret')).toEqual([]);
    const stack = objectsOfRelease(clusterName, KUBE_PROMETHEUS_STACK);
    expect(stack.filter((o) => o.kind === 'Deployment').length).toBeGreaterThan(0);
    expect(adminPasswordSecrets(stack)).toEqual([]);
    expect(stack.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'grafana')).toEqual([]);
  });

  test('Grafana and its sidecars read the admin user and password from the Secret the ExternalSecret writes', () => {
    const containers: any[] = [...(deployment().spec.template.spec.initContainers ?? []), ...deployment().spec.template.spec.containers];
    const credentials = containers.flatMap((c) => (c.env ?? []).filter((e: any) => /USER|PASSWORD/.test(e.name)).map((e: any) => `${c.name} ${e.name}: ${JSON.stringify(e.valueFrom ?? e.value)}`));
    const fromSecret = (key: string) => JSON.stringify({ secretKeyRef: { name: GRAFANA_ADMIN_SECRET, key } });
    // Grafana itself, and the sidecars that call its API to reload dashboards and data sources.
    expect(credentials.sort()).toEqual([
      `grafana GF_SECURITY_ADMIN_PASSWORD: ${fromSecret('password')}`,
      `grafana GF_SECURITY_ADMIN_USER: ${fromSecret('username')}`,
      `grafana-sc-dashboard REQ_PASSWORD: ${fromSecret('password')}`,
      `grafana-sc-dashboard REQ_USERNAME: ${fromSecret('username')}`,
      `grafana-sc-datasources REQ_PASSWORD: ${fromSecret('password')}`,
      `grafana-sc-datasources REQ_USERNAME: ${fromSecret('username')}`,
    ]);
    const [externalSecret] = grafana().filter((o) => o.kind === 'ExternalSecret');
    expect(externalSecret.spec.target.name).toBe(GRAFANA_ADMIN_SECRET);
    const written = [...externalSecret.spec.data.map((d: any) => d.secretKey), ...Object.keys(externalSecret.spec.target.template.data)].sort();
    expect(written).toEqual(['password', 'username']);
  });

  test("the pods are the ones the logging namespace's NetworkPolicies admit to Loki", () => {
    const { podSelector, namespaceSelector } = GRAFANA_PODS.toNetworkPolicyPeer();
    expect(deployment().metadata.namespace ?? 'monitoring').toBe(namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']);
    expect(labelSelectorMatches(podSelector!, deployment().spec.template.metadata.labels)).toBe(true);
  });
});

describe('the validation gate over dist/ and the rendered Grafana and kube-prometheus-stack', () => {
  /** A copy of the synthesized dist/ with the rendered releases beside it, each Application's wave first changed by `waveOf`. */
  async function gateWith(waveOf: (application: string) => number | undefined): Promise<ValidationResult> {
    const dir = makeTempDir('grafana-gate-');
    fs.cpSync(dist, dir, { recursive: true });
    for (const cluster of CLUSTERS) {
      const file = path.join(dir, 'argocd', cluster.name, 'addons.yaml');
      const documents = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((document) => {
        const wave = waveOf(String(document.getIn(['metadata', 'name'])));
        if (wave !== undefined) {
          document.setIn(['metadata', 'annotations', 'argocd.argoproj.io/sync-wave'], String(wave));
        }
        return document.toString();
      });
      fs.writeFileSync(file, documents.join('---\n'));
    }
    writeRenderedAddons(dir, rendered);
    return validateDirectory(dir);
  }

  test('passes: the ExternalSecret in Grafana\'s extraObjects names a store of an earlier wave', async () => {
    const gate = await gateWith(() => undefined);
    expect(gate.findings).toEqual([]);
    expect(gate.environments).toEqual(expect.arrayContaining(['addon-grafana-development', 'addon-grafana-production', 'addon-grafana-staging']));
  }, 120_000);

  test("fails with ARGOCD-WAVE-ORDER when Grafana syncs in kube-prometheus-stack's wave, before the store", async () => {
    const gate = await gateWith((application) => (application === GRAFANA_RELEASE ? ApplicationWave.FOUNDATION : undefined));
    const findings = gate.findings.map((f) => `${f.ruleId} ${f.file}: ${f.message}`).sort();
    expect(findings).toEqual(
      CLUSTERS.map((c) => c.name).sort().map((c) => expect.stringMatching(new RegExp(`^ARGOCD-WAVE-ORDER argocd/${c}/addons.yaml: needs ClusterSecretStore vault-monitoring, which Application argocd/cluster-baseline provides in wave -1, not before this Application's wave -3`))),
    );
  }, 120_000);
});
