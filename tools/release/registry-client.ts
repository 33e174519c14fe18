import { createHash } from 'crypto';

/**
 * Resolves `repository:tag` to the digest the registry serves for it, over the OCI distribution
 * API (https://github.com/opencontainers/distribution-spec/blob/main/spec.md, "Pulling manifests"):
 * HEAD /v2/<name>/manifests/<tag>, asking for an index (multi-platform) first, then a single
 * manifest, and reading Docker-Content-Digest. A registry that answers 401 with a Bearer challenge
 * (ghcr.io, docker.io, quay.io for public images) gets an anonymous token from the challenge's
 * realm first. Where a registry sends no Docker-Content-Digest, the digest is the sha256 of the
 * manifest's bytes (GET), which is what the specification defines it to be.
 */

/** The media types asked for: an index first, so a multi-platform image is pinned by its index. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Docker Hub's API host: `docker.io/<name>` is served by registry-1.docker.io. */
const API_HOSTS: Readonly<Record<string, string>> = { 'docker.io': 'registry-1.docker.io' };

/** Where a registry host's API is: `https://<host>`, or a mapping (a mirror, a test's local registry). */
export type RegistryEndpoints = Readonly<Record<string, string>>;

export interface ResolvedDigest {
  readonly digest: string;
  /** The host asked (the mapped endpoint's host:port where a mapping was used). */
  readonly askedHost: string;
}

/** `docker.io/library/redis` -> host `docker.io`, name `library/redis`. */
export function splitRepository(repository: string): { host: string; name: string } {
  const slash = repository.indexOf('/');
  return { host: repository.slice(0, slash), name: repository.slice(slash + 1) };
}

/** The parameters of a `Bearer realm="...",service="...",scope="..."` challenge, if it is one. */
export function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (header === null || !/^Bearer\s/i.test(header)) {
    return undefined;
  }
  const parameters: Record<string, string> = {};
  for (const match of header.slice(header.indexOf(' ') + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) {
    parameters[match[1]] = match[2];
  }
  return parameters.realm === undefined ? undefined : parameters;
}

export async function resolveDigest(repository: string, tag: string, endpoints: RegistryEndpoints = {}): Promise<ResolvedDigest> {
  const { host, name } = splitRepository(repository);
  const base = (endpoints[host] ?? `https://${API_HOSTS[host] ?? host}`).replace(/\/$/, '');
  const askedHost = new URL(base).host;
  const url = `${base}/v2/${name}/manifests/${encodeURIComponent(tag)}`;
  const where = `${repository}:${tag} at ${base}`;
  const ask = async (method: 'HEAD' | 'GET', token?: string) => {
    try {
      return await fetch(url, { method, headers: { Accept: MANIFEST_ACCEPT, ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
    } catch (error) {
      throw new Error(`cannot reach the registry for ${where}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`, { cause: error });
    }
  };
  let token: string | undefined;
  let response = await ask('HEAD');
  if (response.status === 401) {
    token = await anonymousToken(bearerChallenge(response.headers.get('www-authenticate')), where);
    response = await ask('HEAD', token);
  }
  if (response.status === 404) {
    throw new Error(`tag ${tag} of ${repository} not found at ${base} (the registry answered 404): check the tag`);
  }
  if (!response.ok) {
    throw new Error(`the registry answered ${response.status} ${response.statusText} for ${where}`);
  }
  const header = response.headers.get('docker-content-digest');
  if (header !== null && /^sha256:[a-f0-9]{64}$/.test(header)) {
    return { digest: header, askedHost };
  }
  const manifest = await ask('GET', token);
  if (!manifest.ok) {
    throw new Error(`the registry answered ${manifest.status} ${manifest.statusText} for ${where} (GET)`);
  }
  return { digest: `sha256:${createHash('sha256').update(Buffer.from(await manifest.arrayBuffer())).digest('hex')}`, askedHost };
}

/** An anonymous pull token from the challenge's realm (docker.io, ghcr.io and quay.io hand them out for public images). */
async function anonymousToken(challenge: Record<string, string> | undefined, where: string): Promise<string> {
  if (challenge === undefined) {
    throw new Error(`the registry asked for credentials for ${where} without a Bearer challenge; pin-images reads public images only`);
  }
  const realm = new URL(challenge.realm);
  for (const key of ['service', 'scope']) {
    if (challenge[key] !== undefined) {
      realm.searchParams.set(key, challenge[key]);
    }
  }
  const response = await fetch(realm);
  const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!response.ok || token === undefined) {
    throw new Error(`no anonymous token from ${realm.origin}${realm.pathname} for ${where} (${response.status})`);
  }
  return token;
}
