import * as crypto from 'crypto';
import { once } from 'events';
import * as fs from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as path from 'path';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { IssuedCertificate, rootCa, serverCertificate } from '../security/support/openssl-pki';
import { tempDirsRemovedAfterAll } from '../support/files';
import { find, kinds, KubeObject, renderChart } from '../support/kube';
import { IdTokenVerifier, startContractServer } from './support/token-contract-server';

/**
 * Another tenant's Ingress on the shared ingress-nginx can send web and api any headers (its own
 * X-Auth-Request-*, an auth-url subrequest with its client's headers). The container contract
 * answers that with a token check the apps make themselves. This suite implements the README's
 * paragraph from api's variables as production renders them, serves it over HTTPS, and sends it
 * what such a tenant could send; the identity provider is a second HTTPS server with a discovery
 * document and a JWKS, and tokens are signed with throwaway keys (node:crypto).
 */

const makeTempDir = tempDirsRemovedAfterAll();
const production = renderChart(ENVIRONMENTS[EnvironmentName.PRODUCTION]);

/** The Deployment or Rollout of `service`. */
function workload(objects: readonly KubeObject[], service: string): KubeObject {
  return objects.find((o) => (o.kind === 'Rollout' || o.kind === 'Deployment') && o.metadata.name === service)!;
}

/** The container's `AUTH_*` variables, by name (all plain values: nothing secret in them). */
function authEnvironment(objects: readonly KubeObject[], service: string): Record<string, string> {
  const env: { name: string; value?: string }[] = workload(objects, service).spec.template.spec.containers[0].env;
  return Object.fromEntries(env.filter((v) => v.name.startsWith('AUTH_')).map((v) => [v.name, v.value!]));
}

const api = authEnvironment(production, 'api');
const issuer = new URL(api.AUTH_ISSUER_URL);

/** The README's section "Container contract", up to the next section. */
function containerContract(): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('### Container contract');
  return readme.slice(start, readme.indexOf('\n## ', start));
}

describe('the rendered token-verification variables', () => {
  test('the README\'s contract names exactly the AUTH_ variables web and api are rendered with, and nothing else', () => {
    const named = [...new Set(containerContract().match(/\$AUTH_[A-Z_]+/g))].map((variable) => variable.slice(1)).sort();
    expect(named).toEqual(Object.keys(api).sort());
    expect(Object.keys(authEnvironment(production, 'web')).sort()).toEqual(named);
  });

  test.each(Object.values(EnvironmentName))('%s: web and api verify tokens of its own client and issuer, know their public paths, and may fetch the keys', (name) => {
    const config = ENVIRONMENTS[name];
    const objects = renderChart(config);
    for (const [service, publicPaths] of [['web', config.authentication.webPublicPaths], ['api', config.authentication.apiPublicPaths]] as const) {
      expect(authEnvironment(objects, service)).toEqual({
        AUTH_ISSUER_URL: config.authentication.issuerUrl,
        AUTH_AUDIENCE: config.authentication.clientId,
        AUTH_CLOCK_SKEW_SECONDS: '60',
        AUTH_GROUPS_CLAIM: config.authentication.groupsClaim,
        AUTH_ALLOWED_GROUPS: config.authentication.allowedGroups.join(','),
        AUTH_MFA_CLAIM: config.authentication.mfa.claim,
        AUTH_MFA_ACCEPTED_VALUES: config.authentication.mfa.acceptedValues.join(','),
        AUTH_PUBLIC_PATHS: publicPaths.join(','),
      });
      const egress = kinds(objects, 'NetworkPolicy')
        .filter((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === service && p.metadata.name.includes('-allow-egress-to-identity-provider'))
        .flatMap((p) => p.spec.egress);
      expect(egress).toEqual(config.egress.identityProviderCidrs.map((cidr) => ({ to: [{ ipBlock: { cidr } }], ports: [{ protocol: 'TCP', port: 443 }] })));
    }
  });
});

describe('api under the contract refuses what another tenant could send (real HTTPS, tokens signed with node:crypto)', () => {
  type Jwk = crypto.JsonWebKey & { kid: string; alg: string; use: string };
  const ecKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsaKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rotatedKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attackerKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = (pair: crypto.KeyPairKeyObjectResult, kid: string, alg: string): Jwk => ({ ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' });
  const idpKeys: Jwk[] = [jwk(ecKey, 'ec-1', 'ES256'), jwk(rsaKey, 'rsa-1', 'RS256')];
  let jwksFetches = 0;
  /** What the api's clock is ahead of the real one: lets the key cache age without waiting. */
  let clockOffsetMs = 0;
  const now = () => Date.now() + clockOffsetMs;

  let ca: IssuedCertificate;
  let apiTlsName: string;
  const servers: https.Server[] = [];
  let apiPort: number;

  /** Reads JSON from the identity provider: its hostname resolves to the local server, verified against the test CA. */
  let getJson: (url: URL) => Promise<unknown>;

  beforeAll(async () => {
    const dir = makeTempDir('token-contract-');
    ca = rootCa(dir, 'ca', 'Token Contract Test CA');
    const idpCertificate = serverCertificate(dir, 'idp', issuer.hostname, ca);
    apiTlsName = find(production, 'Certificate', 'api-server-tls').spec.dnsNames[0];
    const apiCertificate = serverCertificate(dir, 'api', apiTlsName, ca);

    const discoveryPath = `${issuer.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const jwksPath = `${issuer.pathname.replace(/\/$/, '')}/protocol/openid-connect/certs`;
    const idp = https.createServer({ key: idpCertificate.keyPem, cert: idpCertificate.certificatePem }, (request, response) => {
      const body = request.url === discoveryPath ? { issuer: api.AUTH_ISSUER_URL, jwks_uri: `${issuer.origin}${jwksPath}` }
        : request.url === jwksPath ? (jwksFetches++, { keys: idpKeys }) : undefined;
      response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body ?? {}));
    });
    idp.listen(0, '127.0.0.1');
    await once(idp, 'listening');
    servers.push(idp);
    const idpPort = (idp.address() as AddressInfo).port;
    getJson = (url) => new Promise((resolve, reject) => {
      if (url.protocol !== 'https:' || url.hostname !== issuer.hostname) {
        reject(new Error(`${url} is not at the identity provider`));
        return;
      }
      https.get({ host: '127.0.0.1', port: idpPort, servername: url.hostname, path: url.pathname, ca: ca.certificatePem, agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk) => { text += chunk; });
        response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${url}: ${response.statusCode}`))));
      }).on('error', reject);
    });

    const started = await startContractServer(api, { key: apiCertificate.keyPem, cert: apiCertificate.certificatePem }, new IdTokenVerifier(api, getJson, now));
    servers.push(started.server);
    apiPort = started.port;
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }
  });

  const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const nowSeconds = () => Math.floor(now() / 1000);
  /** The claims of a token oauth2-proxy would forward for a member of an allowed group who signed in with MFA. */
  const goodClaims = () => ({
    iss: api.AUTH_ISSUER_URL,
    aud: api.AUTH_AUDIENCE,
    azp: api.AUTH_AUDIENCE,
    sub: 'f3a1c2d4-user',
    email: 'alice@acme.example.com',
    email_verified: true,
    [api.AUTH_GROUPS_CLAIM]: [api.AUTH_ALLOWED_GROUPS.split(',')[0]],
    [api.AUTH_MFA_CLAIM]: ['pwd', api.AUTH_MFA_ACCEPTED_VALUES.split(',')[0]],
    iat: nowSeconds(),
    exp: nowSeconds() + 300,
  });
  function token(claims: Record<string, unknown>, options: { key?: crypto.KeyObject; kid?: string; alg?: string } = {}): string {
    const alg = options.alg ?? 'ES256';
    const input = `${base64url({ alg, kid: options.kid ?? 'ec-1', typ: 'JWT' })}.${base64url(claims)}`;
    const key = options.key ?? ecKey.privateKey;
    const signature = alg === 'HS256' ? crypto.createHmac('sha256', key.export({ format: 'pem', type: 'spki' })).update(input).digest()
      : crypto.sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
    return `${input}.${signature.toString('base64url')}`;
  }

  /** A GET to api's traffic port, as ingress-nginx (or anything else the NetworkPolicy admits) would send it. */
  function call(requestPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      https.get({ host: '127.0.0.1', port: apiPort, servername: apiTlsName, path: requestPath, headers, ca: ca.certificatePem, agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk) => { text += chunk; });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      }).on('error', reject);
    });
  }
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  const forgedHeaders = { 'x-auth-request-user': 'admin', 'x-auth-request-email': 'admin@acme.example.com', 'x-auth-request-groups': api.AUTH_ALLOWED_GROUPS };

  test('a token of the right issuer and audience, signed by the provider (ES256 or RS256), with MFA and an allowed group passes; the caller comes from the token, not the headers', async () => {
    const identity = { user: 'f3a1c2d4-user', email: 'alice@acme.example.com', groups: [api.AUTH_ALLOWED_GROUPS.split(',')[0]] };
    expect(await call('/v1/projects', { ...forgedHeaders, ...bearer(token(goodClaims())) })).toEqual({ status: 200, body: identity });
    expect(await call('/v1/projects', bearer(token(goodClaims(), { key: rsaKey.privateKey, kid: 'rsa-1', alg: 'RS256' })))).toEqual({ status: 200, body: identity });
    // An e-mail the provider has not verified is not the caller's.
    expect((await call('/v1/projects', bearer(token({ ...goodClaims(), email_verified: false })))).body).toEqual({ user: identity.user, groups: identity.groups });
  });

  test.each([
    ['forged X-Auth-Request-* headers without a token', () => forgedHeaders, 'no bearer token'],
    ['a token another tenant\'s proxy obtained for its own client id', () => bearer(token({ ...goodClaims(), aud: 'other-tenant', azp: 'other-tenant' })), 'aud other-tenant'],
    ['a token for two audiences authorized for another client', () => bearer(token({ ...goodClaims(), aud: [api.AUTH_AUDIENCE, 'other-tenant'], azp: 'other-tenant' })), `aud ${api.AUTH_AUDIENCE},other-tenant`],
    ['a token of another realm of the same provider', () => bearer(token({ ...goodClaims(), iss: `${issuer.origin}/realms/other-tenant` })), `iss ${issuer.origin}/realms/other-tenant`],
    ['a token expired longer ago than the clock skew', () => bearer(token({ ...goodClaims(), exp: nowSeconds() - Number(api.AUTH_CLOCK_SKEW_SECONDS) - 5 })), 'expired'],
    ['a token without exp', () => bearer(token({ ...goodClaims(), exp: undefined })), 'expired'],
    ['a token not valid before a time beyond the skew', () => bearer(token({ ...goodClaims(), nbf: nowSeconds() + Number(api.AUTH_CLOCK_SKEW_SECONDS) + 5 })), 'not yet valid'],
    ['a token signed by another key under the provider\'s kid', () => bearer(token(goodClaims(), { key: attackerKey.privateKey })), 'bad signature'],
    ['a token signed by another key under a kid of its own', () => bearer(token(goodClaims(), { key: attackerKey.privateKey, kid: 'attacker' })), 'no key attacker'],
    ['a token whose claims were changed after signing', () => bearer(token(goodClaims()).replace(/\.[^.]+\./, `.${base64url({ ...goodClaims(), sub: 'someone-else' })}.`)), 'bad signature'],
    ['an HS256 token keyed with the provider\'s public key', () => bearer(token(goodClaims(), { key: ecKey.publicKey, alg: 'HS256' })), 'alg HS256 not accepted'],
    ['an unsigned token (alg none)', () => bearer(`${base64url({ alg: 'none' })}.${base64url(goodClaims())}.`), 'no bearer token'],
    ['an RS256 header on the provider\'s EC key', () => bearer(token(goodClaims(), { alg: 'RS256' })), 'key ec-1 is not a RS256 signing key'],
    ['Basic credentials', () => ({ authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }), 'no bearer token'],
  ])('401 for %s', async (_case, headers, reason) => {
    expect(await call('/v1/projects', { ...forgedHeaders, ...headers() })).toEqual({ status: 401, body: { error: reason } });
  });

  test.each([
    ['a token without the MFA value', () => ({ ...goodClaims(), [api.AUTH_MFA_CLAIM]: ['pwd'] }), 'no MFA'],
    ['a token without the MFA claim', () => ({ ...goodClaims(), [api.AUTH_MFA_CLAIM]: undefined }), 'no MFA'],
    ['a token of a user in no allowed group', () => ({ ...goodClaims(), [api.AUTH_GROUPS_CLAIM]: ['contractors'] }), 'no allowed group'],
  ])('403 for %s', async (_case, claims, reason) => {
    expect(await call('/v1/projects', { ...forgedHeaders, ...bearer(token(claims())) })).toEqual({ status: 403, body: { error: reason } });
  });

  test('a token expired less than the clock skew ago still passes (clocks differ a little)', async () => {
    const claims = { ...goodClaims(), exp: nowSeconds() - Number(api.AUTH_CLOCK_SKEW_SECONDS) / 2 };
    expect((await call('/v1/projects', bearer(token(claims)))).status).toBe(200);
  });

  test('only the probes and the configured public paths need no token: a prefix with its slash, anything else exactly', async () => {
    expect(api.AUTH_PUBLIC_PATHS.split(',')).toEqual(['/healthz', '/webhooks/']);
    for (const open of ['/healthz', '/readyz', '/webhooks/', '/webhooks/github']) {
      expect(await call(open, forgedHeaders)).toEqual({ status: 200, body: { tokenFree: open } });
    }
    for (const closed of ['/healthz/details', '/webhooks', '/webhooksadmin', '/webhooks/../v1/projects', '/']) {
      expect((await call(closed, forgedHeaders)).status).toBe(401);
    }
  });

  test('keys: a rotated key is fetched when a token names it, forged kids do not flood the provider, a withdrawn key stops verifying', async () => {
    clockOffsetMs += 31_000;
    idpKeys.push(jwk(rotatedKey, 'ec-2', 'ES256'));
    const fetchesBefore = jwksFetches;
    expect((await call('/v1/projects', bearer(token(goodClaims(), { key: rotatedKey.privateKey, kid: 'ec-2' })))).status).toBe(200);
    expect(jwksFetches).toBe(fetchesBefore + 1);
    for (let i = 0; i < 10; i++) {
      expect((await call('/v1/projects', bearer(token(goodClaims(), { key: attackerKey.privateKey, kid: `forged-${i}` })))).status).toBe(401);
    }
    expect(jwksFetches).toBe(fetchesBefore + 1);
    idpKeys.splice(idpKeys.findIndex((key) => key.kid === 'ec-1'), 1);
    // Kept for at most ten minutes, then fetched again without it.
    expect((await call('/v1/projects', bearer(token(goodClaims())))).status).toBe(200);
    clockOffsetMs += 10 * 60_000 + 1_000;
    expect(await call('/v1/projects', bearer(token(goodClaims())))).toEqual({ status: 401, body: { error: 'no key ec-1' } });
    expect((await call('/v1/projects', bearer(token(goodClaims(), { key: rotatedKey.privateKey, kid: 'ec-2' })))).status).toBe(200);
  });
});
