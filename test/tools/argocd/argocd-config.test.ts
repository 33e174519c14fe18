import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  API_SERVICE_HEALTH_KEY, apiServiceHealthCheck, APPLICATION_HEALTH_KEY, argoCdSettings, COMPARE_OPTIONS_KEY, documentedApplicationHealthCheck, SIMULATED_API_SERVICES,
} from '../../../tools/argocd/argocd-config';

const DOCS = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'gitops.md'), 'utf8');

describe("the settings the Argo CD harness installs (tools/argocd/argocd-config.ts)", () => {
  test('argocd-cm carries the Application health check exactly as docs/gitops.md lists it, unindented', () => {
    const cm = argoCdSettings().find((object) => object.metadata.name === 'argocd-cm') as unknown as { data: Record<string, string> };
    const check = cm.data[APPLICATION_HEALTH_KEY];
    expect(APPLICATION_HEALTH_KEY).toBe('resource.customizations.health.argoproj.io_Application');
    expect(check.split('\n')[0]).toBe('hs = { status = "Progressing", message = "waiting for the first sync" }');
    expect(check.trimEnd().split('\n').at(-1)).toBe('return hs');
    // Every line of the check is a line of the documented block (with the list item's indent).
    for (const line of check.trimEnd().split('\n').filter((candidate) => candidate.trim() !== '')) {
      expect(DOCS).toContain(`   ${line}\n`);
    }
  });

  test('argocd-cm ignores every status in comparisons, as docs/gitops.md step 2 says (Server-Side Diff reads status writes as drift)', () => {
    const cm = argoCdSettings().find((object) => object.metadata.name === 'argocd-cm') as unknown as { data: Record<string, string> };
    expect(cm.data[COMPARE_OPTIONS_KEY]).toBe('ignoreResourceStatusField: all\n');
    expect(DOCS).toContain('set `resource.compareoptions` to `ignoreResourceStatusField: all`');
  });

  test('every ConfigMap and Secret has the label Argo CD lists its settings by (else the controller does not see them)', () => {
    const settings = argoCdSettings().filter((object) => object.kind !== 'Namespace');
    expect(settings.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(['ConfigMap/argocd-cm', 'ConfigMap/argocd-rbac-cm', 'Secret/argocd-secret']);
    for (const object of settings) {
      expect({ name: object.metadata.name, labels: object.metadata.labels }).toEqual({ name: object.metadata.name, labels: { 'app.kubernetes.io/part-of': 'argocd' } });
    }
  });

  test('a docs/gitops.md without the marked block is an error naming it, not an argocd-cm without the check', () => {
    expect(() => documentedApplicationHealthCheck('# GitOps\n```lua\nreturn hs\n```\n')).toThrow(/docs\/gitops.md has no <!-- application-health-check --> block/);
  });
});

/** `value` as a Lua value: arrays as sequences (1-based, for ipairs), objects as tables. */
function luaValue(value: unknown): string {
  if (value === null || value === undefined) {
    return 'nil';
  }
  if (Array.isArray(value)) {
    return `{ ${value.map(luaValue).join(', ')} }`;
  }
  if (typeof value === 'object') {
    return `{ ${Object.entries(value as Record<string, unknown>).map(([key, entry]) => `[${JSON.stringify(key)}] = ${luaValue(entry)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** Runs the harness's APIService check with Lua 5.1 (Argo CD's gopher-lua is a Lua 5.1), as Argo CD would. */
function apiServiceHealth(apiService: Record<string, unknown>): string {
  const program = `obj = ${luaValue(apiService)}\nlocal function check()\n${apiServiceHealthCheck()}\nend\nlocal hs = check()\nio.write(hs.status, " | ", hs.message)`;
  const result = spawnSync('lua5.1', ['-'], { input: program, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`lua5.1 failed: ${result.stderr || result.error?.message}`);
  }
  return result.stdout;
}

describe('the APIService health check of the harness (aggregated API servers that do not run here)', () => {
  test("KEDA's external metrics APIService is Healthy and says it is simulated, whatever its status", () => {
    const unavailable = [{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: 'failing or missing response' }];
    expect(apiServiceHealth({ metadata: { name: 'v1beta1.external.metrics.k8s.io' }, status: { conditions: unavailable } })).toBe(
      "Healthy | simulated: KEDA's metrics API server (keda-operator-metrics-apiserver) does not run in this test cluster",
    );
    expect(Object.keys(SIMULATED_API_SERVICES)).toEqual(['v1beta1.external.metrics.k8s.io']);
  });

  test("any other APIService is judged as gitops-engine's built-in check: Available True is Healthy, False or none is Progressing", () => {
    expect(apiServiceHealth({ metadata: { name: 'v1.apps' }, status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' }] } })).toBe('Healthy | Local: Local APIServices are always available');
    expect(apiServiceHealth({ metadata: { name: 'v1beta1.metrics.k8s.io' }, status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints', message: 'endpoints for service/metrics-server in "kube-system" have no addresses' }] } })).toBe(
      'Progressing | MissingEndpoints: endpoints for service/metrics-server in "kube-system" have no addresses',
    );
    expect(apiServiceHealth({ metadata: { name: 'v1beta1.metrics.k8s.io' } })).toBe('Progressing | Waiting to be processed');
  });

  test('argocd-cm carries it under the key Argo CD reads for apiregistration.k8s.io/APIService', () => {
    const cm = argoCdSettings().find((object) => object.metadata.name === 'argocd-cm') as unknown as { data: Record<string, string> };
    expect(API_SERVICE_HEALTH_KEY).toBe('resource.customizations.health.apiregistration.k8s.io_APIService');
    expect(cm.data[API_SERVICE_HEALTH_KEY]).toBe(apiServiceHealthCheck());
  });
});
