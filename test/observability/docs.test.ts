import * as fs from 'fs';
import * as path from 'path';
import { platformRuleGroups } from '../../lib/observability/platform-alert-rules';
import { Severity } from '../../lib/observability/rules/rule-types';

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'observability.md'), 'utf8');

describe('docs/observability.md', () => {
  // Everything production renders: the edge objectives of both hostnames and the ingress controller alert included.
  const groups = platformRuleGroups({
    namespace: { namespaceName: 'generator-platform' },
    jobQueue: { queueName: 'generation.jobs' },
    broker: { vhostName: 'generator-platform' },
    publicHosts: [{ service: 'web', hostname: 'app.generator-platform.example.com' }, { service: 'api', hostname: 'api.generator-platform.example.com' }],
    ingressController: { namespace: 'ingress-nginx', metricsServiceName: 'ingress-nginx-controller-metrics' },
  });

  test.each(groups.flatMap((group) => group.alerts.map((alert) => [alert.name, group.name, alert] as const)))(
    'lists %s with its threshold, for, severity and runbook',
    (name, group, alert) => {
      const severity = alert.severity === Severity.PAGE ? 'page (critical)' : 'ticket (warning)';
      expect(DOC).toContain(`| \`${name}\` | ${group} | ${alert.threshold} | ${alert.for} | ${severity} | ${alert.summary} | [${alert.runbook}](#${alert.runbook}) |`);
      expect(DOC).toContain(`\n### ${alert.runbook}\n`);
    },
  );
});
