import * as https from 'https';

/** One answer of the API server, with the `Warning` headers it sent (one entry per header). */
export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly warnings: readonly string[];
}

/** Where an object kind is served: its REST resource and whether it lives in a namespace. */
export interface ResourceInfo {
  readonly resource: string;
  readonly namespaced: boolean;
}

/** A Kubernetes object as far as the client needs it. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/**
 * A minimal client of one API server over HTTPS with a bearer token (no client library: only the
 * calls the tests make), keeping connections alive so thousands of dry-runs stay fast.
 */
export class KubeClient {
  private readonly agent: https.Agent;
  private resources = new Map<string, ResourceInfo>();

  public constructor(
    public readonly server: string,
    private readonly token: string,
    caPem: string,
  ) {
    this.agent = new https.Agent({ ca: caPem, keepAlive: true, maxSockets: 16 });
  }

  public request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = https.request(
        `${this.server}${path}`,
        {
          method,
          agent: this.agent,
          headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...(payload === undefined ? {} : { 'Content-Type': contentType }) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // Plain text (e.g. /readyz).
            }
            resolve({ status: response.statusCode ?? 0, body: parsed, warnings: warningsOf(response.rawHeaders) });
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** Reads every group version's resources (again after CRDs were added). */
  public async discover(): Promise<void> {
    const resources = new Map<string, ResourceInfo>();
    const groupVersions = ['v1'];
    const groups = (await this.request('GET', '/apis')).body as { groups: { versions: { groupVersion: string }[] }[] };
    groupVersions.push(...groups.groups.flatMap((group) => group.versions.map((version) => version.groupVersion)));
    await Promise.all(
      groupVersions.map(async (groupVersion) => {
        const list = await this.request('GET', groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`);
        if (list.status !== 200) {
          return;
        }
        for (const resource of (list.body as { resources: { name: string; kind: string; namespaced: boolean }[] }).resources) {
          if (!resource.name.includes('/')) {
            resources.set(`${groupVersion}/${resource.kind}`, { resource: resource.name, namespaced: resource.namespaced });
          }
        }
      }),
    );
    this.resources = resources;
  }

  /** How `apiVersion`/`kind` is served, or undefined when the server does not serve it. */
  public resourceOf(apiVersion: string, kind: string): ResourceInfo | undefined {
    return this.resources.get(`${apiVersion}/${kind}`);
  }

  /** The object's URL (collection URL when `name` is omitted). */
  public pathOf(object: KubeObject, withName = true): string {
    const info = this.resourceOf(object.apiVersion, object.kind);
    if (!info) {
      throw new Error(`the API server does not serve ${object.apiVersion} ${object.kind}`);
    }
    const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    const namespace = info.namespaced ? `/namespaces/${object.metadata.namespace ?? 'default'}` : '';
    return `${base}${namespace}/${info.resource}${withName ? `/${object.metadata.name}` : ''}`;
  }

  /**
   * Server-side apply of `object` (strict field validation: an unknown or duplicate field is an
   * error, not a dropped value); with `dryRun`, every admission step runs and nothing is stored.
   */
  public apply(object: KubeObject, options: { readonly dryRun: boolean; readonly fieldManager: string }): Promise<KubeResponse> {
    const query = new URLSearchParams({ fieldManager: options.fieldManager, fieldValidation: 'Strict', force: 'true' });
    if (options.dryRun) {
      query.set('dryRun', 'All');
    }
    return this.request('PATCH', `${this.pathOf(object)}?${query}`, object, 'application/apply-patch+yaml');
  }

  /**
   * Create (POST), or replace (PUT at the current resourceVersion) when it exists; strict field
   * validation. For megabyte-sized CRDs: server-side apply of an existing one costs seconds
   * (managed fields of the whole schema), a plain write a tenth of that.
   */
  public async createOrReplace(object: KubeObject): Promise<KubeResponse> {
    const created = await this.request('POST', `${this.pathOf(object, false)}?fieldValidation=Strict`, object);
    if (created.status !== 409) {
      return created;
    }
    const current = await this.request('GET', this.pathOf(object));
    const resourceVersion = (current.body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    return this.request('PUT', `${this.pathOf(object)}?fieldValidation=Strict`, { ...object, metadata: { ...object.metadata, resourceVersion } });
  }

  /** Dry-run create (POST): what admission does to a new object, e.g. a Pod that no controller made. */
  public dryRunCreate(object: KubeObject): Promise<KubeResponse> {
    return this.request('POST', `${this.pathOf(object, false)}?dryRun=All&fieldValidation=Strict`, object);
  }

  public close(): void {
    this.agent.destroy();
  }
}

/** The message of each `Warning: 299 - "message"` header (RFC 7234 form, as the API server sends it). */
export function warningsOf(rawHeaders: readonly string[]): string[] {
  const warnings: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'warning') {
      const match = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(rawHeaders[i + 1]);
      warnings.push(match ? match[1].replace(/\\(.)/g, '$1') : rawHeaders[i + 1]);
    }
  }
  return warnings;
}

/** The message of a failed API call's Status body. */
export function statusMessage(response: KubeResponse): string {
  const body = response.body as { message?: string } | string;
  return typeof body === 'string' ? body.trim() : (body.message ?? JSON.stringify(body));
}
