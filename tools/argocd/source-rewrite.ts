import { record } from '../validation/json-access';
import { JsonObject } from '../validation/manifest';
import { applicationSpecOf, sourceBlocksOf, sourceReposOf } from './argocd-sources';

/**
 * Deep copies of Argo CD objects with each repoURL of an Application or ApplicationSet template and
 * each `sourceRepos` entry of an AppProject replaced by `localUrlOf(url)`; other objects are copied
 * unchanged. AppProject entries `*` stay (they allow anything); every other URL without a local
 * one is collected, and the call fails with one line naming them all.
 */
export function rewriteRepositoryUrls<T extends object>(objects: readonly T[], localUrlOf: (repoURL: string) => string | undefined): T[] {
  const unmapped = new Set<string>();
  const map = (url: string): string => {
    const local = localUrlOf(url);
    if (local === undefined) {
      unmapped.add(url);
    }
    return local ?? url;
  };
  const copies = objects.map((object) => structuredClone(object));
  for (const copy of copies) {
    const body = copy as JsonObject;
    const spec = applicationSpecOf(body);
    for (const source of spec ? sourceBlocksOf(spec) : []) {
      if (typeof source.repoURL === 'string') {
        source.repoURL = map(source.repoURL);
      }
    }
    if (body.kind === 'AppProject') {
      record(body.spec).sourceRepos = [...new Set(sourceReposOf(body).map((url) => (url === '*' ? url : map(url))))];
    }
  }
  if (unmapped.size > 0) {
    throw new Error(`LocalSources.rewrite: no local server serves ${[...unmapped].sort().join(', ')}. Fix: serve it in tools/argocd/local-sources.ts (an add-on needs an entry in addons.lock.json and its trees in the mirror)`);
  }
  return copies;
}

/**
 * Copies of Argo CD objects with the `signatureKeys` of every AppProject that requires signatures
 * replaced by `keyId` alone: the key IDs in dist/ are the real signers' (lib/config/commit-signers.yaml),
 * whose private keys a test never has, so the test signs with a throwaway key and its projects
 * require that one instead. A project without signatureKeys stays without.
 */
export function rewriteSignatureKeys<T extends object>(objects: readonly T[], keyId: string): T[] {
  return objects.map((object) => {
    const copy = structuredClone(object);
    const body = copy as JsonObject;
    if (body.kind === 'AppProject') {
      const spec = record(body.spec);
      if (Array.isArray(spec.signatureKeys) && spec.signatureKeys.length > 0) {
        spec.signatureKeys = [{ keyID: keyId }];
      }
    }
    return copy;
  });
}
