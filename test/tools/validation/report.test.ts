import { formatJson, formatReport } from '../../../tools/validation/report';
import { ValidationResult } from '../../../tools/validation/validate-directory';

const object = { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'generator-platform', documentIndex: 2 };

const result: ValidationResult = {
  dir: '/tmp/dist',
  environments: ['production', 'staging'],
  fileCount: 2,
  objectCount: 7,
  findings: [
    { ruleId: 'KUBE-SCORE-SERVICE-TYPE', environment: 'production', file: 'production/web.yaml', object, path: 'spec.type', message: 'the Service is a NodePort', fix: 'Use a ClusterIP Service.' },
    { ruleId: 'FRESHNESS-EXTRA', environment: 'staging', file: 'staging/old.yaml', message: 'a fresh synth does not render this file', fix: 'Delete the stale file.' },
  ],
  exemptions: [{ ruleId: 'PSS-RESTRICTED-HOST-PORTS', reason: 'the node agent needs it', environment: 'production', file: 'production/web.yaml', object, suppressedFindings: 1 }],
};

describe('the report', () => {
  const lines = formatReport(result).split('\n');

  test('groups findings by environment, file and object, each with its fix', () => {
    expect(lines.slice(0, 6)).toEqual([
      'environment production',
      '  production/web.yaml',
      '    Service generator-platform/web (document 3)',
      '      RULE                     PATH       FINDING / FIX',
      '      KUBE-SCORE-SERVICE-TYPE  spec.type  the Service is a NodePort',
      '                                          fix: Use a ClusterIP Service.',
    ]);
    expect(lines).toContain('    (whole file)');
  });

  test('lists exemptions with their reason', () => {
    expect(lines).toContain('  production/web.yaml Service generator-platform/web (document 3): PSS-RESTRICTED-HOST-PORTS (1 suppressed) — the node agent needs it');
  });

  test('ends with one summary line', () => {
    expect(lines[lines.length - 1]).toBe('validate: FAIL — 2 findings of 2 rules in 7 objects in 2 files across 2 environments (production, staging), 1 exemption');
  });

  test('prints the same result as JSON for machines', () => {
    expect(JSON.parse(formatJson(result))).toMatchObject({ passed: false, objectCount: 7, findings: result.findings, exemptions: result.exemptions });
  });
});
