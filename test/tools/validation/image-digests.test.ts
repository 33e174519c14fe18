import { JsonObject } from '../../../tools/validation/manifest';
import { IMAGE_DIGEST_RULES } from '../../../tools/validation/policy/image-digests';
import { digestExemptReferences } from '../../../lib/platform/third-party-images';
import { manifest, messagesOf as messagesOfRule } from './support/single-rule';

const messagesOf = (object: ReturnType<typeof manifest>) => messagesOfRule(IMAGE_DIGEST_RULES, 'PLATFORM-IMAGE-DIGEST', object);

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const job = (environment: string, images: { containers: string[]; initContainers?: string[] }) =>
  manifest(environment, 'batch/v1', 'Job', {
    metadata: { name: 'bootstrap' },
    spec: {
      template: {
        spec: {
          initContainers: (images.initContainers ?? []).map((image, index) => ({ name: `init-${index}`, image })),
          containers: images.containers.map((image, index) => ({ name: `main-${index}`, image })),
        },
      },
    },
  });
const cnpgCluster = (environment: string, spec: JsonObject) => manifest(environment, 'postgresql.cnpg.io/v1', 'Cluster', { metadata: { name: 'postgres' }, spec });
const pooler = (environment: string, spec: JsonObject) => manifest(environment, 'postgresql.cnpg.io/v1', 'Pooler', { metadata: { name: 'postgres-pooler' }, spec });
const broker = (environment: string, spec: JsonObject) => manifest(environment, 'rabbitmq.com/v1beta1', 'RabbitmqCluster', { metadata: { name: 'rabbitmq' }, spec });

describe('PLATFORM-IMAGE-DIGEST: staging and production pull every image by digest', () => {
  test.each(['staging', 'production'])('fails a container and an init container pulled by tag in %s, naming each', (environment) => {
    expect(messagesOf(job(environment, { containers: ['docker.io/library/redis:7.0.16'], initContainers: ['ghcr.io/acme/generator-platform-api:1.4.2'] }))).toEqual([
      `container "init-0" pulls ghcr.io/acme/generator-platform-api:1.4.2 without a digest in ${environment}`,
      `container "main-0" pulls docker.io/library/redis:7.0.16 without a digest in ${environment}`,
    ]);
  });

  test('passes images pinned by digest, with or without a tag', () => {
    expect(messagesOf(job('production', { containers: [`docker.io/library/redis:7.0.15@${DIGEST}`, `ghcr.io/acme/generator-platform-api@${DIGEST}`] }))).toEqual([]);
  });

  test('fails a digest that is not a sha256 of 64 hex digits', () => {
    expect(messagesOf(job('production', { containers: ['ghcr.io/acme/generator-platform-api:1.4.2@sha256:abc'] }))).toEqual([
      'container "main-0" pulls ghcr.io/acme/generator-platform-api:1.4.2@sha256:abc with the digest "sha256:abc", which is not sha256:<64 hex digits> in production',
    ]);
  });

  test('lets development and previews pull by tag', () => {
    for (const environment of ['development', 'preview', 'preview-pr-42']) {
      expect(messagesOf(job(environment, { containers: ['docker.io/library/redis:7.0.16'] }))).toEqual([]);
    }
  });

  test('exempts exactly the repository:tag of a third-party image with a pending digest, and nothing near it', () => {
    expect(digestExemptReferences()).toContain('docker.io/library/redis:7.0.15');
    expect(messagesOf(job('production', { containers: ['docker.io/library/redis:7.0.15'] }))).toEqual([]);
    // Another tag of that repository, the short name of the same image, and an image whose digest is known are not exempt.
    expect(messagesOf(job('production', { containers: ['docker.io/library/redis:7.0.14', 'redis:7.0.15', 'docker.io/oliver006/redis_exporter:v1.58.0'] }))).toEqual([
      'container "main-0" pulls docker.io/library/redis:7.0.14 without a digest in production',
      'container "main-1" pulls redis:7.0.15 without a digest in production',
      'container "main-2" pulls docker.io/oliver006/redis_exporter:v1.58.0 without a digest in production',
    ]);
  });

  test("reads the images of operator-run pods, and fails where the operator's default image (pulled by tag) would run", () => {
    expect(messagesOf(cnpgCluster('staging', { instances: 3 }))).toEqual([
      "Cluster postgres (spec.imageName) names no image, so the operator's default runs, pulled by tag, in staging",
    ]);
    expect(messagesOf(cnpgCluster('staging', { imageName: `ghcr.io/cloudnative-pg/postgresql:15.4@${DIGEST}` }))).toEqual([]);
    expect(messagesOf(pooler('staging', { template: { spec: { containers: [{ name: 'pgbouncer', resources: {} }] } } }))).toEqual([
      'Pooler postgres-pooler container "pgbouncer" names no image, so the operator\'s default runs, pulled by tag, in staging',
    ]);
    expect(messagesOf(pooler('staging', { template: { spec: { containers: [{ name: 'pgbouncer', image: 'ghcr.io/cloudnative-pg/pgbouncer:1.24.0' }] } } }))).toEqual([
      'Pooler postgres-pooler container "pgbouncer" pulls ghcr.io/cloudnative-pg/pgbouncer:1.24.0 without a digest in staging',
    ]);
    expect(messagesOf(broker('production', { image: 'rabbitmq:3.12.14-management' }))).toEqual([
      'RabbitmqCluster rabbitmq (spec.image) pulls rabbitmq:3.12.14-management without a digest in production',
    ]);
    expect(messagesOf(broker('production', { image: `docker.io/library/rabbitmq:3.12.14-management@${DIGEST}` }))).toEqual([]);
  });
});
