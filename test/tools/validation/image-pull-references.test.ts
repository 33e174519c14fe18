import { imageRegistry } from '../../../tools/validation/container-image';
import { IMAGE_PULL_REFERENCE_RULES } from '../../../tools/validation/cross-references/image-pull-references';
import { JsonObject, ManifestObject } from '../../../tools/validation/manifest';
import { privateRegistryOf } from '../../../tools/validation/private-registry';
import { manifest, messagesOf as messagesOfRule } from './support/single-rule';

const messagesOf = (ruleId: string, object: ManifestObject, others: ManifestObject[] = []): string[] => messagesOfRule(IMAGE_PULL_REFERENCE_RULES, ruleId, object, others);

const pullSecret = (environment: string) =>
  manifest(environment, 'external-secrets.io/v1beta1', 'ExternalSecret', {
    metadata: { name: 'registry-pull-secret' },
    spec: { target: { name: 'registry-pull-secret', template: { type: 'kubernetes.io/dockerconfigjson' } } },
  });
const opaqueSecret = (environment: string) =>
  manifest(environment, 'external-secrets.io/v1beta1', 'ExternalSecret', { metadata: { name: 'redis-password' }, spec: { target: { name: 'redis-password' } } });
const account = (environment: string, name: string, pullSecrets: string[]) =>
  manifest(environment, 'v1', 'ServiceAccount', { metadata: { name }, imagePullSecrets: pullSecrets.map((secret) => ({ name: secret })) });
const job = (environment: string, image: string, podSpec: JsonObject = {}) =>
  manifest(environment, 'batch/v1', 'Job', { metadata: { name: 'migrate' }, spec: { template: { spec: { containers: [{ name: 'migrate', image }], ...podSpec } } } });

const PRIVATE_IMAGE = 'ghcr.io/acme/generator-platform-api:1.4.2';

describe('imagePullSecrets references', () => {
  test('a ServiceAccount may name the registry credential an ExternalSecret produces', () => {
    expect(messagesOf('XREF-IMAGE-PULL-SECRET', account('production', 'api', ['registry-pull-secret']), [pullSecret('production')])).toEqual([]);
  });

  test('fails a ServiceAccount naming a Secret that does not exist or is no registry credential', () => {
    expect(messagesOf('XREF-IMAGE-PULL-SECRET', account('production', 'api', ['registry-pull-secret', 'redis-password']), [opaqueSecret('production')])).toEqual([
      'imagePullSecrets names registry-pull-secret, which is neither a rendered Secret nor an ExternalSecret target in namespace generator-platform',
      'imagePullSecrets names redis-password, which ExternalSecret generator-platform/redis-password produces without a type of kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg, so the kubelet cannot pull with it',
    ]);
  });

  test("checks a pod's own imagePullSecrets the same way", () => {
    expect(messagesOf('XREF-IMAGE-PULL-SECRET', job('production', PRIVATE_IMAGE, { imagePullSecrets: [{ name: 'redis-password' }] }), [opaqueSecret('production')])).toHaveLength(1);
  });
});

describe('pods of private images', () => {
  test('pull with the registry credential of their ServiceAccount', () => {
    const pod = job('production', PRIVATE_IMAGE, { serviceAccountName: 'migrate' });
    expect(messagesOf('XREF-PRIVATE-IMAGE-PULL-SECRET', pod, [account('production', 'migrate', ['registry-pull-secret']), pullSecret('production')])).toEqual([]);
    expect(messagesOf('XREF-PRIVATE-IMAGE-PULL-SECRET', pod, [account('production', 'migrate', []), pullSecret('production')])).toEqual([
      `container "migrate" runs ${PRIVATE_IMAGE} from the private registry ghcr.io, but the imagePullSecrets of ServiceAccount migrate name no registry credential`,
    ]);
  });

  test("fail when the pod's own imagePullSecrets replace the ServiceAccount's with no registry credential", () => {
    const pod = job('production', PRIVATE_IMAGE, { serviceAccountName: 'migrate', imagePullSecrets: [{ name: 'redis-password' }] });
    expect(messagesOf('XREF-PRIVATE-IMAGE-PULL-SECRET', pod, [account('production', 'migrate', ['registry-pull-secret']), pullSecret('production'), opaqueSecret('production')])).toEqual([
      `container "migrate" runs ${PRIVATE_IMAGE} from the private registry ghcr.io, but the imagePullSecrets of the pod name no registry credential`,
    ]);
  });

  test('fail under the default ServiceAccount, which is not rendered and has no pull secret', () => {
    expect(messagesOf('XREF-PRIVATE-IMAGE-PULL-SECRET', job('staging', PRIVATE_IMAGE), [pullSecret('staging')])).toHaveLength(1);
  });

  test('leave a ServiceAccount that is not rendered to XREF-SERVICE-ACCOUNT', () => {
    expect(messagesOf('XREF-PRIVATE-IMAGE-PULL-SECRET', job('production', PRIVATE_IMAGE, { serviceAccountName: 'missing' }))).toEqual([]);
  });

  test.each(['docker.io/library/redis:7.0.15', 'quay.io/oauth2-proxy/oauth2-proxy:v7.6.0'])('need no credential for the public image %s', (image) => {
    expect(messagesOf('XREF-PRIVATE-IMAGE-PULL-SECRET', job('production', image))).toEqual([]);
  });

  test('are not checked in folders no environment is named after', () => {
    expect(messagesOf('XREF-PRIVATE-IMAGE-PULL-SECRET', job('argocd', PRIVATE_IMAGE))).toEqual([]);
  });
});

describe('the private registry of a folder', () => {
  test.each([
    ['production', 'ghcr.io'],
    ['development', 'ghcr.io'],
    ['preview', 'ghcr.io'],
    ['preview-pr-42', 'ghcr.io'],
    ['argocd', undefined],
    ['constructor', undefined],
  ])('%s: %s', (folder, registry) => {
    expect(privateRegistryOf(folder)).toBe(registry);
  });

  test.each([
    ['ghcr.io/acme/generator-platform-web:1.4.2', 'ghcr.io'],
    ['registry.example.com:5000/team/app@sha256:abc', 'registry.example.com:5000'],
    ['localhost/app:dev', 'localhost'],
    ['oliver006/redis_exporter:v1.58.0', 'docker.io'],
    ['redis:7.0', 'docker.io'],
  ])('%s is pulled from %s', (image, registry) => {
    expect(imageRegistry(image)).toBe(registry);
  });
});
