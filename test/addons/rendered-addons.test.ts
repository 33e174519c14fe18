import * as fs from 'fs';
import * as path from 'path';
import { addonApplicationsIn } from '../../tools/addons/addon-applications';
import { PROJECT_ROOT } from '../../tools/addons/addon-lock';
import { documentTexts, objectsOf, RenderAddonsResult, renderAddons, writeRenderedAddons } from '../../tools/addons/render-addons';
import { imageUsesOf } from '../../tools/validation/addons/addon-image-rule';
import { parseManifestFile } from '../../tools/validation/load-manifests';
import { isClusterScoped } from '../../tools/validation/cross-references/argocd-references';
import { JsonObject } from '../../tools/validation/manifest';
import { ValidationResult, validateDirectory } from '../../tools/validation/validate-directory';
import { tempDirsRemovedAfterAll } from '../support/files';

const DIST = path.join(PROJECT_ROOT, 'dist');
/** Cluster-scoped kinds as the gate knows them (Kubernetes 1.27 built-ins, and custom `Cluster<Something>`). */
const isClusterScopedKind = (kind: string) => isClusterScoped({ kind } as Parameters<typeof isClusterScoped>[0]);
const makeTempDir = tempDirsRemovedAfterAll();

let rendered: RenderAddonsResult;
let gate: ValidationResult;

/** Every add-on of every cluster, rendered from the pinned sources into a copy of dist/, and the gate over both. */
beforeAll(async () => {
  const dir = makeTempDir('rendered-addons-');
  fs.cpSync(DIST, dir, { recursive: true });
  rendered = await renderAddons(DIST);
  writeRenderedAddons(dir, rendered.addons);
  gate = await validateDirectory(dir);
}, 600_000);

function renderedYaml(cluster: string, name: string): string {
  const addon = rendered.addons.find((candidate) => candidate.application.cluster === cluster && candidate.application.name === name);
  if (!addon) {
    throw new Error(`add-on ${name} was not rendered for ${cluster}`);
  }
  return addon.yaml;
}

/** The objects of kind `kind` of a rendered add-on (only their documents are parsed: CRDs are most of the bytes). */
function objectsOfKind(yaml: string, kinds: readonly string[]): string {
  return documentTexts(yaml)
    .filter((text) => kinds.some((kind) => new RegExp(`^kind: ${kind}\\s*$`, 'm').test(text)))
    .join('---\n');
}

/** The images the workloads of the add-on `name` in `cluster` run, with the workload that runs each. */
function imagesOf(cluster: string, name: string): string[] {
  const workloads = objectsOfKind(renderedYaml(cluster, name), ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
  return parseManifestFile(`addon-${name}/manifests.yaml`, workloads).flatMap((object) => imageUsesOf(object).map((use) => `${object.kind} ${object.name}: ${use.image}`));
}

describe('every add-on Application of dist/argocd, rendered as Argo CD 2.10 would', () => {
  test('renders each one, from its pinned upstream source, into objects', () => {
    const applications = addonApplicationsIn(DIST);
    expect(rendered.addons.map((addon) => `${addon.application.cluster}/${addon.application.name}`)).toEqual(applications.map((application) => `${application.cluster}/${application.name}`));
    const empty = rendered.addons.filter((addon) => !documentTexts(addon.yaml).some((text) => /^kind: \w+/m.test(text))).map((addon) => addon.application.name);
    expect(empty).toEqual([]);
  });

  test('the gate passes over dist/ plus every rendered add-on', () => {
    expect(gate.findings).toEqual([]);
    expect(gate.environments.filter((environment) => environment.startsWith('addon-')).length).toBeGreaterThanOrEqual(14);
  });

  test('no object is synced by two Applications of one cluster (Argo CD would hand it back and forth, re-syncing both for ever)', () => {
    // Argo CD tracks an object by one Application's label: two owners take it from each other on every
    // sync (SharedResourceWarning). The real Argo CD bootstrap found the RabbitMQ operators' shared Namespace.
    const owners = new Map<string, string[]>();
    const own = (cluster: string, application: string, object: JsonObject, defaultNamespace: string) => {
      const metadata = (object.metadata ?? {}) as JsonObject;
      const group = String(object.apiVersion ?? '').includes('/') ? String(object.apiVersion).split('/')[0] : '';
      const namespace = isClusterScopedKind(String(object.kind)) ? '' : String(metadata.namespace ?? defaultNamespace);
      const key = `${cluster}: ${group}/${String(object.kind)} ${namespace ? `${namespace}/` : ''}${String(metadata.name)}`;
      owners.set(key, [...(owners.get(key) ?? []), application]);
    };
    for (const addon of rendered.addons) {
      for (const object of objectsOf(addon.yaml)) {
        own(addon.application.cluster, addon.application.name, object, addon.application.destinationNamespace);
      }
    }
    // The cluster's own Applications of this repository's folders (baseline, CA, environments).
    for (const cluster of fs.readdirSync(path.join(DIST, 'argocd'))) {
      for (const file of fs.readdirSync(path.join(DIST, 'argocd', cluster)).filter((name) => name.endsWith('.yaml'))) {
        for (const application of parseManifestFile(`argocd/${cluster}/${file}`, fs.readFileSync(path.join(DIST, 'argocd', cluster, file), 'utf8')).filter((object) => object.kind === 'Application')) {
          const spec = application.body.spec as { source?: { path?: string }; destination: { namespace?: string } };
          const folder = spec.source?.path;
          if (!folder?.startsWith('dist/') || folder === `dist/argocd/${cluster}`) {
            continue; // an add-on (rendered above) or the root (which syncs the Applications themselves)
          }
          for (const name of fs.readdirSync(path.join(PROJECT_ROOT, folder)).filter((entry) => entry.endsWith('.yaml') && entry !== 'kustomization.yaml')) {
            for (const object of parseManifestFile(`${folder}/${name}`, fs.readFileSync(path.join(PROJECT_ROOT, folder, name), 'utf8'))) {
              own(cluster, String((application.body.metadata as JsonObject).name), object.body, spec.destination.namespace ?? '');
            }
          }
        }
      }
    }
    const shared = [...owners].filter(([, applications]) => applications.length > 1).map(([key, applications]) => `${key}: ${applications.join(', ')}`);
    expect(shared).toEqual([]);
    expect(owners.size).toBeGreaterThan(1000);
  });

  test('the Argo Rollouts controller, the KEDA operator and the RabbitMQ operators run their pinned versions', () => {
    for (const cluster of ['development', 'staging', 'production']) {
      expect(imagesOf(cluster, 'argo-rollouts')).toEqual(['Deployment argo-rollouts: quay.io/argoproj/argo-rollouts:v1.6.6']);
      expect(imagesOf(cluster, 'keda')).toEqual(expect.arrayContaining(['Deployment keda-operator: ghcr.io/kedacore/keda:2.13.1']));
      expect(imagesOf(cluster, 'rabbitmq-cluster-operator')).toEqual(['Deployment rabbitmq-cluster-operator: rabbitmqoperator/cluster-operator:2.7.0']);
      expect(imagesOf(cluster, 'rabbitmq-messaging-topology-operator')).toEqual(['Deployment messaging-topology-operator: rabbitmqoperator/messaging-topology-operator:1.13.0']);
    }
  });

  test("Kyverno's hook and report-cleanup jobs run the frozen kubectl image, not the removed bitnami one", () => {
    const kubectl = imagesOf('production', 'kyverno').filter((use) => use.includes('kubectl'));
    expect(kubectl).toEqual([
      'CronJob kyverno-cleanup-admission-reports: docker.io/bitnamilegacy/kubectl:1.28.5',
      'CronJob kyverno-cleanup-cluster-admission-reports: docker.io/bitnamilegacy/kubectl:1.28.5',
      'Job kyverno-hook-post-upgrade: docker.io/bitnamilegacy/kubectl:1.28.5',
      'Job kyverno-hook-pre-delete: docker.io/bitnamilegacy/kubectl:1.28.5',
    ]);
  });

  test('charts render for the APIs the cluster will serve: Reloader may restart Argo Rollouts', () => {
    const rules = objectsOf(objectsOfKind(renderedYaml('production', 'reloader'), ['ClusterRole']))
      .filter((object) => object.kind === 'ClusterRole')
      .flatMap((role) => (role.rules as JsonObject[]).filter((rule) => (rule.apiGroups as string[]).includes('argoproj.io')));
    expect(rules).toEqual([expect.objectContaining({ resources: ['rollouts'] })]);
  });
});
