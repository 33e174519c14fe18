import { compliantPlatform } from './support/builders';
import { findingsOf } from './support/platform-fixtures';

describe('the compliant platform fixture', () => {
  test('passes every rule, so each rule test breaks exactly what it names', async () => {
    expect(await findingsOf(compliantPlatform())).toEqual([]);
  });
});
