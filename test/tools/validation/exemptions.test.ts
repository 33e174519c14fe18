import { EXEMPTION_ANNOTATION, parseExemptionAnnotation } from '../../../tools/validation/exemptions';
import { compliantPlatform, K8sObject } from './support/builders';
import { at, objectNamed, ruleIdsOf, validatePlatform } from './support/platform-fixtures';

/** The compliant platform with a NodePort web Service carrying `annotation` as its exemption. */
async function validateWithExemption(annotation: string) {
  const objects = compliantPlatform();
  const webService = objectNamed(objects, 'Service', 'web');
  at(webService, 'spec').type = 'NodePort';
  (webService.metadata as K8sObject).annotations = { [EXEMPTION_ANNOTATION]: annotation };
  return validatePlatform(objects);
}

describe('exemption annotations', () => {
  test('parse into rule ids and reasons', () => {
    expect(parseExemptionAnnotation(' KUBE-SCORE-SERVICE-TYPE: the load balancer needs it ;PSS-RESTRICTED-HOST-PORTS ; ')).toEqual([
      { ruleId: 'KUBE-SCORE-SERVICE-TYPE', reason: 'the load balancer needs it' },
      { ruleId: 'PSS-RESTRICTED-HOST-PORTS', reason: '' },
    ]);
  });

  test('suppress the named rule on that object and are listed with their reason', async () => {
    const { findings, exemptions } = await validateWithExemption('KUBE-SCORE-SERVICE-TYPE: the legacy load balancer targets node ports');
    expect(findings).toEqual([]);
    expect(exemptions).toEqual([
      expect.objectContaining({ ruleId: 'KUBE-SCORE-SERVICE-TYPE', reason: 'the legacy load balancer targets node ports', suppressedFindings: 1, file: 'production/platform.yaml' }),
    ]);
  });

  test.each([
    ['without a reason', 'KUBE-SCORE-SERVICE-TYPE', 'EXEMPTION-INVALID'],
    ['with an empty reason', 'KUBE-SCORE-SERVICE-TYPE:  ', 'EXEMPTION-INVALID'],
    ['naming an unknown rule', 'KUBE-SCORE-SERVICE-TYPO: because', 'EXEMPTION-INVALID'],
    ['naming a schema rule', 'SCHEMA-UNKNOWN-FIELD: because', 'EXEMPTION-INVALID'],
  ])('%s is a finding and suppresses nothing', async (_name, annotation, ruleId) => {
    const { findings, exemptions } = await validateWithExemption(annotation);
    expect(ruleIdsOf(findings)).toEqual([ruleId, 'KUBE-SCORE-SERVICE-TYPE'].sort());
    expect(exemptions).toEqual([]);
  });

  test('an exemption that suppresses nothing is a finding', async () => {
    const { findings } = await validateWithExemption('KUBE-SCORE-SERVICE-TYPE: needed; PSS-RESTRICTED-HOST-PORTS: not needed any more');
    expect(findings.map((finding) => [finding.ruleId, finding.message])).toEqual([['EXEMPTION-UNUSED', 'the exemption of PSS-RESTRICTED-HOST-PORTS suppresses nothing']]);
  });
});
