import * as crypto from 'crypto';
import { once } from 'events';
import * as https from 'https';
import { AddressInfo } from 'net';

/**
 * The README's sign-in contract (section "Container contract"), implemented as web and api must
 * implement it, from nothing but the container's `AUTH_*` variables: a reference for the tests,
 * not code of the platform. Every rule below is a sentence of that paragraph.
 */

/** Reads a JSON document over HTTPS (the image's trust store and DNS; the test supplies its own). */
export type JsonGet = (url: URL) => Promise<unknown>;

/** What a request's token check ends in: the caller from the token, or why it is refused. */
export type TokenCheck =
  | { readonly status: 200; readonly identity: { readonly user: string; readonly email?: string; readonly groups: readonly string[] } }
  | { readonly status: 401 | 403; readonly reason: string };

/** The JWKS may be fetched again for an unknown `kid` at most this often (forged kids must not flood the provider). */
const REFETCH_COOLDOWN_MS = 30_000;
/** Keys are kept at most this long, so a key the provider withdrew stops verifying. */
const KEYS_MAX_AGE_MS = 10 * 60_000;
const ALGORITHMS: Record<string, { kty: string; crv?: string; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256', dsaEncoding: 'ieee-p1363' },
};

const commaList = (value: string | undefined): string[] => (value ?? '').split(',').filter((item) => item !== '');
/** A claim that is a string or an array of strings, as a list; anything else holds nothing. */
const claimValues = (claim: unknown): string[] => (typeof claim === 'string' ? [claim] : Array.isArray(claim) ? claim.filter((v): v is string => typeof v === 'string') : []);
const decodeJson = (part: string): any => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

export class IdTokenVerifier {
  private keys?: { readonly byKid: Map<string, crypto.JsonWebKey>; readonly fetchedAt: number };

  /** `env`: the container's variables; `now`: milliseconds since the epoch (the test may move it). */
  public constructor(private readonly env: Readonly<Record<string, string>>, private readonly getJson: JsonGet, private readonly now: () => number = Date.now) {}

  public async check(authorization: string | undefined): Promise<TokenCheck> {
    const refuse = (status: 401 | 403, reason: string): TokenCheck => ({ status, reason });
    const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
    if (!match) return refuse(401, 'no bearer token');
    const [, headerPart, payloadPart, signaturePart] = match;
    let header: any;
    let claims: any;
    try {
      header = decodeJson(headerPart);
      claims = decodeJson(payloadPart);
    } catch {
      return refuse(401, 'not a JWS');
    }
    const algorithm = ALGORITHMS[header?.alg];
    if (algorithm === undefined) return refuse(401, `alg ${header?.alg} not accepted`);
    if (typeof header.kid !== 'string') return refuse(401, 'no kid');
    const jwk = await this.keyFor(header.kid);
    if (jwk === undefined) return refuse(401, `no key ${header.kid}`);
    if (jwk.kty !== algorithm.kty || (algorithm.crv !== undefined && jwk.crv !== algorithm.crv)
      || (jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== header.alg)) {
      return refuse(401, `key ${header.kid} is not a ${header.alg} signing key`);
    }
    const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    if (!crypto.verify('sha256', signed, algorithm.dsaEncoding ? { key, dsaEncoding: algorithm.dsaEncoding } : key, signature)) {
      return refuse(401, 'bad signature');
    }

    const audience = this.env.AUTH_AUDIENCE;
    if (claims.iss !== this.env.AUTH_ISSUER_URL) return refuse(401, `iss ${claims.iss}`);
    if (!claimValues(claims.aud).includes(audience) || (claims.azp !== undefined && claims.azp !== audience)) return refuse(401, `aud ${claims.aud}`);
    const nowSeconds = this.now() / 1000;
    const skew = Number(this.env.AUTH_CLOCK_SKEW_SECONDS);
    if (typeof claims.exp !== 'number' || nowSeconds >= claims.exp + skew) return refuse(401, 'expired');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf >= nowSeconds + skew)) return refuse(401, 'not yet valid');

    const accepted = commaList(this.env.AUTH_MFA_ACCEPTED_VALUES);
    if (!claimValues(claims[this.env.AUTH_MFA_CLAIM]).some((value) => accepted.includes(value))) return refuse(403, 'no MFA');
    const groups = claimValues(claims[this.env.AUTH_GROUPS_CLAIM]);
    const allowed = commaList(this.env.AUTH_ALLOWED_GROUPS);
    if (!groups.some((group) => allowed.includes(group))) return refuse(403, 'no allowed group');
    return { status: 200, identity: { user: claims.sub, ...(claims.email_verified === true ? { email: claims.email } : {}), groups } };
  }

  /** The key named `kid`: from the kept JWKS, fetched when there is none, it is too old, or (past the cooldown) it lacks `kid`. */
  private async keyFor(kid: string): Promise<crypto.JsonWebKey | undefined> {
    const age = this.keys === undefined ? Infinity : this.now() - this.keys.fetchedAt;
    if (age > KEYS_MAX_AGE_MS || (!this.keys!.byKid.has(kid) && age >= REFETCH_COOLDOWN_MS)) {
      this.keys = await this.fetchKeys();
    }
    return this.keys!.byKid.get(kid);
  }

  private async fetchKeys(): Promise<{ byKid: Map<string, crypto.JsonWebKey>; fetchedAt: number }> {
    const issuer = this.env.AUTH_ISSUER_URL;
    const discovery = await this.getJson(new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)) as { issuer?: string; jwks_uri?: string };
    if (discovery.issuer !== issuer || typeof discovery.jwks_uri !== 'string' || !discovery.jwks_uri.startsWith('https://')) {
      throw new Error(`discovery document of ${issuer} names issuer ${discovery.issuer} and JWKS ${discovery.jwks_uri}`);
    }
    const jwks = await this.getJson(new URL(discovery.jwks_uri)) as { keys?: crypto.JsonWebKey[] };
    const byKid = new Map((jwks.keys ?? []).filter((k) => typeof k.kid === 'string').map((k) => [k.kid as string, k]));
    return { byKid, fetchedAt: this.now() };
  }
}

/** Whether `path` needs no token: the probes, and `AUTH_PUBLIC_PATHS` (a trailing `/` is a prefix, anything else exact). */
export function isTokenFree(env: Readonly<Record<string, string>>, path: string): boolean {
  return path === '/healthz' || path === '/readyz'
    || commaList(env.AUTH_PUBLIC_PATHS).some((open) => (open.endsWith('/') ? path.startsWith(open) : path === open));
}

/**
 * A service's traffic port under the contract: HTTPS, the probes and public paths open, every
 * other path answered from the token alone (the identity headers are never read). Resolves when it listens.
 */
export async function startContractServer(env: Readonly<Record<string, string>>, tls: { key: string; cert: string }, verifier: IdTokenVerifier): Promise<{ server: https.Server; port: number }> {
  const server = https.createServer(tls, (request, response) => {
    const path = new URL(request.url ?? '/', 'https://service.invalid').pathname;
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (isTokenFree(env, path)) {
      answer(200, { tokenFree: path });
      return;
    }
    verifier.check(request.headers.authorization).then(
      (result) => (result.status === 200 ? answer(200, result.identity) : answer(result.status, { error: result.reason })),
      (error: Error) => answer(503, { error: `keys unavailable: ${error.message}` }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}
