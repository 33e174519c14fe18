import { CLUSTERS } from '../../lib/config/clusters';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { imageReference } from '../../lib/platform/image-reference';
import { ALL_THIRD_PARTY_IMAGES, digestExemptReferences, OPERATOR_IMAGES, THIRD_PARTY_IMAGES, ThirdPartyImage } from '../../lib/platform/third-party-images';
import { clusterAddons } from '../gitops/fixtures';

const SHA256 = /^sha256:[0-9a-f]{64}$/;
/** A GitHub file at a commit (a branch would let the source change under the citation), or another https page. */
const CITABLE_SOURCE = /^https:\/\/(github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{40}\/\S+|(?!github\.com)\S+)$/;

describe('third-party images (lib/platform/third-party-images.ts)', () => {
  test.each(ALL_THIRD_PARTY_IMAGES.map((image) => [imageReference(image), image] as const))(
    '%s: fully qualified, a version tag, and either a digest with its public sources or a pending digest with its reason and issue',
    (_reference, image) => {
      expect(image.repository).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+\/[a-z0-9._/-]+$/);
      expect(image.tag).not.toBe('latest');
      if (image.digest !== undefined) {
        expect(image.digest).toMatch(SHA256);
        expect(image.digestSources?.length).toBeGreaterThan(0);
        image.digestSources?.forEach((source) => expect(source).toMatch(CITABLE_SOURCE));
        expect(image.pendingDigest).toBeUndefined();
      } else {
        expect(image.digestSources).toBeUndefined();
        expect(image.pendingDigest?.reason).toMatch(/no public source/);
        expect(image.pendingDigest?.releaseIssue).toMatch(/^issue \d+ /);
      }
    },
  );

  test('the images pulled by tag until their digest is pinned are exactly these (a new one is a decision, not a slip)', () => {
    expect(digestExemptReferences()).toEqual([
      'docker.io/library/redis:7.0.15',
      'ghcr.io/cloudnative-pg/postgresql:15.4',
      'ghcr.io/cloudnative-pg/pgbouncer:1.23.0',
      'docker.io/library/rabbitmq:3.12.14-management',
      'ghcr.io/cloudnative-pg/cloudnative-pg:1.22.5',
      'quay.io/jetstack/cert-manager-acmesolver:v1.14.7',
    ]);
  });

  test("every environment runs its store and sign-in images from the catalog's repositories, by digest unless the catalog documents why not", () => {
    // What runs comes from lib/config/images/<env>.yaml (pin-images, Renovate and releases move it); the catalog
    // is the allow-list of repositories (the admission policy's) and the construct defaults, so it may lag.
    for (const config of Object.values(ENVIRONMENTS)) {
      const running = { ...config.storeImages, oauth2Proxy: config.authentication.proxyImage };
      for (const [name, reference] of Object.entries(running)) {
        const catalog: ThirdPartyImage = THIRD_PARTY_IMAGES[name as keyof typeof THIRD_PARTY_IMAGES];
        expect({ environment: config.name, name, repository: reference.repository }).toEqual({ environment: config.name, name, repository: catalog.repository });
        if (reference.digest === undefined) {
          expect({ environment: config.name, name, pulledByTagBecause: catalog.pendingDigest?.reason }).toEqual({ environment: config.name, name, pulledByTagBecause: expect.stringMatching(/no public source/) });
        }
      }
      expect(Object.keys(running).sort()).toEqual(['oauth2Proxy', 'pgbouncer', 'postgres', 'rabbitmq', 'redis', 'redisExporter']);
    }
    expect(imageReference(THIRD_PARTY_IMAGES.oauth2Proxy)).toBe('quay.io/oauth2-proxy/oauth2-proxy:v7.6.0@sha256:dcb6ff8dd21bf3058f6a22c6fa385fa5b897a9cd3914c88a2cc2bb0a85f8065d');
  });

  test.each(CLUSTERS.map((cluster) => [cluster.name, cluster] as const))('the operator images follow the add-on versions of cluster %s', (_name, cluster) => {
    const appVersion = (name: string) => clusterAddons(cluster).find((addon) => addon.name === name)?.appVersion;
    expect(OPERATOR_IMAGES.cloudnativePg.tag).toBe(appVersion('cloudnative-pg'));
    expect(OPERATOR_IMAGES.certManagerAcmeSolver.tag).toBe(appVersion('cert-manager'));
  });
});
