import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { IncomingMessage, ServerResponse } from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { KubeClient, statusMessage } from '../cluster/kube-client';
import { removeOrphanedScratchFolders, scratchFolderName } from '../cluster/managed-process';

/** The two kinds whose webhooks the API server calls on admission, and where it serves them. */
const WEBHOOK_CONFIGURATIONS = [
  { kind: 'ValidatingWebhookConfiguration', resource: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations' },
  { kind: 'MutatingWebhookConfiguration', resource: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations' },
] as const;

interface ClientConfig {
  service?: { namespace: string; name: string; path?: string; port?: number };
  url?: string;
  caBundle?: string;
}

interface WebhookConfiguration {
  metadata: { name: string; resourceVersion?: string };
  webhooks?: { name: string; clientConfig: ClientConfig }[];
}

const SCRATCH_PREFIX = 'generator-platform-simulated-webhooks-';

/**
 * A stand-in for every admission webhook server of the add-ons, whose pods are KWOK pods here:
 * nothing answers at their Services, and no cert-manager cainjector, external-secrets
 * cert-controller, KEDA operator or kube-webhook-certgen Job writes a caBundle. It does what those
 * do to the API server's view and no more: one HTTPS server on loopback (certificate from its own
 * throwaway CA) admits every AdmissionReview unchanged, and a loop points each webhook that calls a
 * Service at it (`https://127.0.0.1:<port>/<namespace>/<service><path>`, the CA as caBundle),
 * because the API server cannot reach a Service without a kube-proxy or a real endpoint. What the
 * webhooks would have checked or defaulted is not checked or defaulted: the stand-in only keeps
 * Fail-policy webhooks from refusing everything they intercept.
 */
export class SimulatedWebhooks {
  /** `simulated webhook <Kind> <name>` per configuration rewritten, in order, once each. */
  public readonly simulated: string[] = [];
  /** Rewrites per `<Kind>/<name>`: more than one means something (Argo CD's selfHeal) put a Service clientConfig back. */
  public readonly rewrites: Record<string, number> = {};
  /** Rewrites the API server refused (other than a conflict or a vanished object); `stop()` throws them. */
  public readonly errors: string[] = [];
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly client: KubeClient,
    private readonly server: https.Server,
    private readonly caBundle: string,
    private readonly dir: string,
    /** `https://127.0.0.1:<port>`: where every rewritten webhook calls. */
    public readonly url: string,
    /** AdmissionReviews answered per `/<namespace>/<service><path>`. */
    public readonly reviews: Readonly<Record<string, number>>,
  ) {}

  /** Starts the server, then the loop (every `intervalMs`); `stop()` ends both and removes the certificates. */
  public static async start(client: KubeClient, intervalMs = 250): Promise<SimulatedWebhooks> {
    removeOrphanedScratchFolders(os.tmpdir(), SCRATCH_PREFIX);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), scratchFolderName(SCRATCH_PREFIX)));
    const pki = makeServingPki(dir);
    const reviews: Record<string, number> = {};
    const server = https.createServer({ key: pki.key, cert: pki.cert }, (request, response) => answerReview(request, response, reviews));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const webhooks = new SimulatedWebhooks(client, server, Buffer.from(pki.caPem).toString('base64'), dir, url, reviews);
    webhooks.loop = webhooks.run(intervalMs);
    return webhooks;
  }

  public async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (this.errors.length > 0) {
      throw new Error(`simulated webhooks: ${[...new Set(this.errors)].join('; ')}`);
    }
  }

  /** One pass over both kinds now (the loop runs them too): for a caller that must not wait for the next pass. */
  public async rewriteAll(): Promise<void> {
    for (const configuration of WEBHOOK_CONFIGURATIONS) {
      await this.pass(configuration.kind, configuration.resource).catch((error: Error) => this.errors.push(error.message));
    }
  }

  private async run(intervalMs: number): Promise<void> {
    while (this.running) {
      await this.rewriteAll();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  private async pass(kind: string, resource: string): Promise<void> {
    const list = await this.client.request('GET', resource);
    if (list.status !== 200) {
      throw new Error(`listing ${kind}s: ${statusMessage(list)}`);
    }
    for (const configuration of (list.body as { items: WebhookConfiguration[] }).items) {
      const webhooks = configuration.webhooks ?? [];
      if (!webhooks.some((webhook) => webhook.clientConfig.service)) {
        continue;
      }
      // The whole object goes back (PUT at its resourceVersion): a merge patch would replace the list, a conflict waits for the next pass.
      const rewritten = { ...configuration, webhooks: webhooks.map((webhook) => ({ ...webhook, clientConfig: this.clientConfigFor(webhook.clientConfig) })) };
      const response = await this.client.request('PUT', `${resource}/${configuration.metadata.name}`, { apiVersion: 'admissionregistration.k8s.io/v1', kind, ...rewritten });
      const key = `${kind}/${configuration.metadata.name}`;
      if (response.status === 200) {
        this.rewrites[key] = (this.rewrites[key] ?? 0) + 1;
        if (this.rewrites[key] === 1) {
          this.simulated.push(`simulated webhook ${kind} ${configuration.metadata.name}`);
        }
      } else if (response.status !== 404 && response.status !== 409) {
        throw new Error(`pointing ${key} at the stand-in: ${statusMessage(response)}`);
      }
    }
  }

  private clientConfigFor(clientConfig: ClientConfig): ClientConfig {
    if (!clientConfig.service) {
      return clientConfig; // a URL webhook (none in the add-ons) is left as it is
    }
    const { namespace, name, path: servicePath } = clientConfig.service;
    return { url: `${this.url}/${namespace}/${name}${servicePath ?? ''}`, caBundle: this.caBundle };
  }
}

/**
 * An `ignoreDifferences` entry per webhook configuration kind for `.webhooks[]?.clientConfig`, with
 * the sync option `RespectIgnoreDifferences=true`, added to a copy of an Application (other objects
 * are copied unchanged). For tests only, like the repoURL rewrite of local-sources.ts: in a real
 * cluster the chart's Service clientConfig is right and only its caBundle is injected. Without it,
 * the rewritten clientConfig is drift that selfHeal puts back. The option makes a sync apply the
 * live value of an ignored field (controller/sync.go, normalizeTargetResources, Argo CD v2.10.18):
 * without it a sync started by another change applies the Service clientConfig again, which the
 * API server refuses beside the stand-in's url ("exactly one of url or service is required", with
 * ServerSideApply=true as the add-ons sync), and the sync retries until its limit.
 */
export function withWebhookClientConfigIgnored<T extends object>(application: T): T {
  const copy = structuredClone(application) as T & { kind?: string; spec?: { ignoreDifferences?: unknown[]; syncPolicy?: { syncOptions?: string[] } } };
  if (copy.kind !== 'Application' || !copy.spec) {
    return copy;
  }
  const ignored = WEBHOOK_CONFIGURATIONS.map((configuration) => ({ group: 'admissionregistration.k8s.io', kind: configuration.kind, jqPathExpressions: ['.webhooks[]?.clientConfig'] }));
  copy.spec.ignoreDifferences = [...(copy.spec.ignoreDifferences ?? []), ...ignored];
  const syncPolicy = (copy.spec.syncPolicy ??= {});
  syncPolicy.syncOptions = [...new Set([...(syncPolicy.syncOptions ?? []), 'RespectIgnoreDifferences=true'])];
  return copy;
}

/** Admits the review unchanged (no patch), echoing its uid and apiVersion, and counts it by path. */
function answerReview(request: IncomingMessage, response: ServerResponse, reviews: Record<string, number>): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const route = (request.url ?? '/').split('?')[0];
    let review: { apiVersion?: string; request?: { uid?: string } } = {};
    try {
      review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      // Not an AdmissionReview: answered 400 below.
    }
    if (!review.request?.uid) {
      response.writeHead(400).end('an AdmissionReview with request.uid is expected');
      return;
    }
    reviews[route] = (reviews[route] ?? 0) + 1;
    const body = { apiVersion: review.apiVersion ?? 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } };
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
}

/** A throwaway CA and, signed by it, a serving certificate for 127.0.0.1 (openssl, as tools/cluster/pki.ts makes the API server's). */
function makeServingPki(dir: string): { key: string; cert: string; caPem: string } {
  const file = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=generator-platform-simulated-webhooks-ca', '-keyout', file('ca.key'), '-out', file('ca.crt')]);
  openssl(['req', ...ec, '-subj', '/CN=simulated-webhooks', '-keyout', file('server.key'), '-out', file('server.csr')]);
  fs.writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-extfile', file('server.ext'), '-out', file('server.crt')]);
  return { key: fs.readFileSync(file('server.key'), 'utf8'), cert: fs.readFileSync(file('server.crt'), 'utf8'), caPem: fs.readFileSync(file('ca.crt'), 'utf8') };
}

function openssl(args: readonly string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`openssl ${args[0]} failed: ${result.stderr || result.error?.message}`);
  }
}
