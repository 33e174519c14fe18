import * as os from 'os';
import * as path from 'path';
import { ValidationInputError } from '../../../tools/validation/input-error';
import { loadManifests, parseManifestFile } from '../../../tools/validation/load-manifests';
import { serviceAccount } from './support/builders';
import { folderWith, toYaml } from './support/platform-fixtures';

describe('loading manifests', () => {
  test('takes the environment from the first folder under the validated one', () => {
    const objects = loadManifests(folderWith({ 'staging/web.yaml': toYaml([serviceAccount('web')]), 'loose.yml': toYaml([serviceAccount('api')]) }));
    expect(objects.map((object) => [object.environment, object.file, object.name])).toEqual([
      ['.', 'loose.yml', 'api'],
      ['staging', 'staging/web.yaml', 'web'],
    ]);
  });

  test('skips empty documents but keeps document positions', () => {
    const [object] = parseManifestFile('production/web.yaml', `---\n# nothing\n---\n${toYaml([serviceAccount('web')])}`);
    expect(object.documentIndex).toBe(1);
  });

  test.each([
    ['malformed YAML', { 'production/web.yaml': 'kind: Service\n  bad: [indent' }, /production\/web\.yaml: line \d+ malformed YAML/],
    ['a document that is not a Kubernetes object', { 'production/web.yaml': 'just: a map\n' }, /document 1 is not a Kubernetes object/],
    ['a YAML list', { 'production/web.yaml': '- a\n- b\n' }, /is not a Kubernetes object/],
    ['a folder with no YAML', { 'README.md': '# nothing here' }, /holds no \.yaml or \.yml file/],
    ['YAML files with no object', { 'production/web.yaml': '---\n' }, /hold no Kubernetes object/],
  ])('rejects %s with a clear input error', (_name, files, message) => {
    const dir = folderWith(files);
    expect(() => loadManifests(dir)).toThrow(ValidationInputError);
    expect(() => loadManifests(dir)).toThrow(message);
  });

  test('rejects a path that is not a folder', () => {
    expect(() => loadManifests(path.join(os.tmpdir(), 'no-such-folder-for-validate'))).toThrow(/is not a folder/);
  });
});

describe('reading YAML as kubectl does (YAML 1.1)', () => {
  test('an unquoted yes is a boolean, so a string field holding it fails the schema', () => {
    const [object] = parseManifestFile('production/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  enabled: yes\n');
    expect((object.body.data as Record<string, unknown>).enabled).toBe(true);
  });
});
