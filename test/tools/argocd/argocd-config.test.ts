import * as fs from 'fs';
import * as path from 'path';
import { APPLICATION_HEALTH_KEY, argoCdSettings, documentedApplicationHealthCheck } from '../../../tools/argocd/argocd-config';

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
