import * as path from 'path';
import { addonApplicationsIn } from '../../tools/addons/addon-applications';
import { PROJECT_ROOT } from '../../tools/addons/addon-lock';
import { RenderedAddon, renderAddons } from '../../tools/addons/render-addons';
import { ControlPlane } from '../../tools/cluster/control-plane';
import { DeploymentUnit, deploymentUnits } from '../../tools/cluster/deployment-units';
import { DryRunReport, dryRunUnits } from '../../tools/cluster/dry-run';
import { KubeObject } from '../../tools/cluster/kube-client';
import { argoCdCrds } from '../../tools/cluster/pinned-crds';
import { listYamlFiles } from '../../tools/validation/load-manifests';

const DIST = path.join(PROJECT_ROOT, 'dist');

let plane: ControlPlane;
let addons: readonly RenderedAddon[];
let units: DeploymentUnit[];
let report: DryRunReport;

/** Every cluster's Applications, add-ons and the preview of pull request 42, dry-run on one real control plane. */
beforeAll(async () => {
  const started = Date.now();
  addons = (await renderAddons(DIST)).addons;
  units = deploymentUnits(DIST, addons);
  const read = Date.now();
  plane = await ControlPlane.start({ pinnedCrds: false });
  const ready = Date.now();
  report = await dryRunUnits(plane, units, { bootstrapCrds: argoCdCrds() });
  const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((sum, count) => sum + count, 0);
  process.stdout.write(
    `dist/ dry-run: ${total(report.objects)} objects and ${total(report.pods)} pods from templates in ${Object.keys(report.objects).length} clusters, ` +
      `${report.findings.length} findings; ${Date.now() - started} ms in all (dist/ and add-ons read ${read - started} ms, control plane ${ready - read} ms, ` +
      `dry-run ${report.milliseconds} ms: ${Object.entries(report.timings).map(([cluster, t]) => `${cluster} set-up ${t.setUp} objects ${t.objects} pods ${t.pods}`).join('; ')})\n`,
  );
}, 600_000);

afterAll(async () => {
  await plane?.stop();
});

/** `dist/...` folders a unit reads, from its source description. */
function unitFolders(list: readonly DeploymentUnit[]): string[] {
  return [...new Set(list.flatMap((unit) => /\(dist\/([^) ]+)\)$/.exec(unit.source)?.[1] ?? []))].sort();
}

describe('every object of dist/, dry-run by kube-apiserver 1.27.16 as Argo CD applies it (server-side apply, strict field validation)', () => {
  test('covers every folder of dist/ that holds objects (the preview as built for pull request 42) and every add-on of every cluster', () => {
    const folders = [...new Set(listYamlFiles(DIST).map((file) => path.posix.dirname(file)))].sort();
    expect(unitFolders(units)).toEqual(folders);
    const addonSources = units.filter((unit) => unit.source.startsWith('add-on')).map((unit) => `${unit.cluster}/${/^add-on Application (\S+)/.exec(unit.source)![1]}`);
    expect(addonSources.sort()).toEqual(addonApplicationsIn(DIST).map((application) => `${application.cluster}/${application.name}`).sort());
    expect(units.find((unit) => unit.source.endsWith('(dist/preview)'))?.objects.every((object) => object.kind === 'Namespace' || object.metadata.namespace === 'generator-platform-pr-42')).toBe(true);
  });

  test('the API server admits every object, and every pod template as the Pod it becomes, without a rejection or a warning', () => {
    expect(report.findings).toEqual([]);
    for (const cluster of ['development', 'staging', 'production']) {
      expect(report.objects[cluster]).toBeGreaterThan(500);
      // web, api, generator, oauth2-proxy, the Redis StatefulSet and bootstrap Job, and the operators' and add-ons' workloads.
      expect(report.pods[cluster]).toBeGreaterThan(20);
    }
    expect(report.skippedTemplates).toEqual([]);
  });
});

describe('a broken object is refused (the dry-run can fail)', () => {
  /** An environment and its namespace (production by default), with `change` applied to a copy of each object. */
  function brokenProduction(change: (object: any) => void, cluster = 'production'): DeploymentUnit[] {
    return units
      .filter((unit) => unit.cluster === cluster && new RegExp(`\\(dist/(${cluster}|argocd/${cluster}/cluster-baseline)\\)$`).test(unit.source))
      .map((unit) => ({ ...unit, objects: unit.objects.map((object) => {
        const copy = structuredClone(object) as KubeObject;
        change(copy);
        return copy;
      }) }));
  }

  test('an unknown field (in a StatefulSet and its Pod), a Rollout template with an added capability (only its Pod shows it) and a Deployment template that allows privilege escalation (a warning, and a refused Pod)', async () => {
    // Production runs no Deployment of its own (the sign-in proxy became a Rollout): development's oauth2-proxy is the Deployment.
    const brokenDeployment = brokenProduction((object) => {
      if (object.kind === 'Deployment' && object.metadata.name === 'oauth2-proxy') {
        object.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
      }
    }, 'development');
    const broken = brokenProduction((object) => {
      // A built-in kind with a pod template (the generator became a Rollout; web and api are ones).
      if (object.kind === 'StatefulSet' && object.metadata.name === 'redis-eu-west-1a') {
        object.spec.template.spec.containers[0].resourcez = { limits: { cpu: '1' } };
      }
      if (object.kind === 'Rollout' && object.metadata.name === 'web') {
        object.spec.template.spec.containers[0].securityContext.capabilities.add = ['NET_ADMIN'];
      }
    });
    const result = await dryRunUnits(plane, [...broken, ...brokenDeployment]);
    const findings = result.findings.map((finding) => `${finding.verdict}: ${finding.object}: ${finding.message}`);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rejected: StatefulSet generator-platform\/redis-eu-west-1a: .*\.resourcez: field not declared in schema$/),
        expect.stringMatching(/^rejected: Pod generator-platform\/redis-eu-west-1a-template-pod \(from StatefulSet redis-eu-west-1a\): .*strict decoding error: unknown field "spec\.containers\[0\]\.resourcez"$/),
        expect.stringMatching(/^rejected: Pod generator-platform\/web-template-pod \(from Rollout web\): .*violates PodSecurity "restricted:v1\.27": unrestricted capabilities \(container "web" must not include "NET_ADMIN"/),
        expect.stringMatching(/^warning: Deployment generator-platform\/oauth2-proxy: would violate PodSecurity "restricted:v1\.27": allowPrivilegeEscalation != false/),
        expect.stringMatching(/^rejected: Pod generator-platform\/oauth2-proxy-template-pod \(from Deployment oauth2-proxy\): .*violates PodSecurity "restricted:v1\.27": allowPrivilegeEscalation != false/),
      ]),
    );
    // The Rollout itself passes: Pod Security admission does not read custom resources, hence the Pod made from its template.
    expect(findings.filter((finding) => finding.includes(': Rollout generator-platform/web:'))).toEqual([]);
    expect(findings).toHaveLength(5);
  });
});
