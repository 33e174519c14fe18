import * as path from 'path';
import { renderAllEnvironments } from '../../synth/render';
import { readTree } from '../support/files';

describe('committed dist/', () => {
  test('is exactly what npm run synth produces now (run `npm run synth` and commit dist/ if this fails)', () => {
    const committed = readTree(path.join(__dirname, '..', '..', 'dist'));
    const fresh = new Map([...renderAllEnvironments()].sort(([a], [b]) => a.localeCompare(b)));
    expect([...committed.keys()]).toEqual([...fresh.keys()]);
    for (const [file, content] of fresh) {
      expect({ file, content: committed.get(file) }).toEqual({ file, content });
    }
  });
});
