import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ControlPlane } from '../cluster/control-plane';
import { statusMessage } from '../cluster/kube-client';
import { freePorts, ManagedProcess, removeOrphanedScratchFolders, scratchFolderName, waitFor } from '../cluster/managed-process';
import { argoCdCrds } from '../cluster/pinned-crds';
import { ArgoCdBinaries, argocdBinary, argocdGpgWrappersDir } from './argocd-binary';
import { ARGOCD_NAMESPACE, argoCdSettings, gpgKeysConfigMap } from './argocd-config';
import { stopGpgAgent } from './signing-key';

export interface ArgoCdOptions {
  /** A running control plane; Argo CD deploys to it as its in-cluster destination (https://kubernetes.default.svc). */
  readonly plane: ControlPlane;
  /** Progress lines (a first build, each component ready). @default none */
  readonly log?: (line: string) => void;
  /** Seconds between the controller's refreshes of each Application (`--app-resync`; 180 in a real install). @default 10 */
  readonly appResyncSeconds?: number;
  /** Seconds the controller waits before it self-heals again (`--self-heal-timeout-seconds`; 5 in a real install). @default 2 */
  readonly selfHealTimeoutSeconds?: number;
  /** Extra environment of the repo server (e.g. a PATH with helm and kustomize). @default {} */
  readonly repoServerEnv?: Readonly<Record<string, string>>;
  /**
   * Armored public keys by long key ID: the keyring the repo server verifies commit signatures
   * with, as an administrator puts them into argocd-gpg-keys-cm (docs/gitops.md, "Signed commits").
   * @default {} - an empty keyring: a project with signatureKeys refuses every commit
   */
  readonly gpgPublicKeys?: Readonly<Record<string, string>>;
}

/** The scratch folders' prefix under the system temp folder; the owner's pid follows. */
const SCRATCH_PREFIX = 'generator-platform-argocd-run-';
const START_TIMEOUT_MS = 120_000;
const FIELD_MANAGER = 'generator-platform-argocd-harness';

/**
 * Argo CD 2.10.18's application controller and repo server on loopback next to a ControlPlane,
 * with redis-server as their cache: Argo CD's CRDs, its namespace and settings (argocd-cm with the
 * Application health check of docs/gitops.md), each process waited for by its /healthz (or a
 * redis PING). No API server, UI, Dex, ApplicationSet controller or notifications: Applications and
 * AppProjects are written to the Kubernetes API directly. `stop()` ends every process it started
 * and removes its folder, also after one of them crashed; a failed start stops what it had started.
 */
export class ArgoCd {
  public readonly processes: ManagedProcess[] = [];
  public readonly repoServerAddress: string;
  public readonly redisAddress: string;

  private constructor(
    public readonly plane: ControlPlane,
    public readonly dir: string,
    private readonly binaries: ArgoCdBinaries,
    private readonly ports: Record<'redis' | 'repoServer' | 'repoServerMetrics' | 'controllerMetrics', number>,
  ) {
    this.repoServerAddress = `127.0.0.1:${ports.repoServer}`;
    this.redisAddress = `127.0.0.1:${ports.redis}`;
  }

  public static async start(options: ArgoCdOptions): Promise<ArgoCd> {
    const log = options.log ?? (() => undefined);
    const binaries = argocdBinary(log);
    removeOrphanedScratchFolders(os.tmpdir(), SCRATCH_PREFIX);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), scratchFolderName(SCRATCH_PREFIX)));
    const [redis, repoServer, repoServerMetrics, controllerMetrics] = await freePorts(4);
    const argo = new ArgoCd(options.plane, dir, binaries, { redis, repoServer, repoServerMetrics, controllerMetrics });
    try {
      const gpgPublicKeys = options.gpgPublicKeys ?? {};
      await Promise.all([argo.installSettings(gpgPublicKeys), argo.startRedis()]);
      await argo.startRepoServer(options.repoServerEnv ?? {}, gpgPublicKeys);
      log(`argocd-repo-server ready at ${argo.repoServerAddress}`);
      await argo.startApplicationController(options.appResyncSeconds ?? 10, options.selfHealTimeoutSeconds ?? 2);
      log(`argocd-application-controller ready (metrics :${controllerMetrics})`);
      return argo;
    } catch (error) {
      await argo.stop();
      throw error;
    }
  }

  /** Ends every process it started (last first) and removes its folder; the control plane is the caller's. */
  public async stop(): Promise<void> {
    for (const process of [...this.processes].reverse()) {
      await process.stop();
    }
    await stopGpgAgent(this.gnupgHome);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Sync operations the application controller completed per Application and phase
   * (`<name> <phase>` -> count), from its Prometheus counter `argocd_app_sync_total`: every
   * automated sync (and self-heal) counts, whatever the Application's status says afterwards.
   */
  public async syncCounts(): Promise<Record<string, number>> {
    const response = await fetch(`http://127.0.0.1:${this.ports.controllerMetrics}/metrics`);
    if (!response.ok) {
      throw new Error(`argocd-application-controller /metrics answered ${response.status}`);
    }
    return syncCountsOf(await response.text());
  }

  /** The processes' log files, to attach to a failure. */
  public logTails(lines = 20): string {
    return this.processes.map((process) => `--- ${process.name} (${process.logFile}):\n${process.logTail(lines)}`).join('\n');
  }

  /** The repo server's GnuPG home (ARGOCD_GNUPGHOME; /app/config/gpg/keys in Argo CD's image, an emptyDir). */
  private get gnupgHome(): string {
    return path.join(this.dir, 'gpg', 'keys');
  }

  /** Argo CD's CRDs (unless the plane loaded them with the pinned ones), the namespace and settings. */
  private async installSettings(gpgPublicKeys: Readonly<Record<string, string>>): Promise<void> {
    if (!this.plane.client.resourceOf('argoproj.io/v1alpha1', 'Application')) {
      await this.plane.loadCrds(argoCdCrds());
    }
    for (const object of [...argoCdSettings(), gpgKeysConfigMap(gpgPublicKeys)]) {
      const response = await this.plane.client.apply(object, { dryRun: false, fieldManager: FIELD_MANAGER });
      if (response.status >= 300) {
        throw new Error(`${object.kind} ${object.metadata.name} was refused: ${statusMessage(response)}`);
      }
    }
  }

  /** Debian's redis-server (scripts/ensure-test-tools.sh), a cache only: no RDB or AOF files, loopback only. */
  private async startRedis(): Promise<void> {
    const redis = this.run('redis-server', 'redis-server', [
      '--bind', '127.0.0.1', '--port', String(this.ports.redis), '--save', '', '--appendonly', 'no', '--dir', this.dir, '--protected-mode', 'yes',
    ]);
    await waitFor('redis-server PING', () => redisPing(this.ports.redis), { timeoutMs: START_TIMEOUT_MS, process: redis });
  }

  /**
   * The repo server with GnuPG on, as in a real install: at start it makes a keyring in
   * ARGOCD_GNUPGHOME and imports every file of ARGOCD_GPG_DATA_PATH whose name is a key ID, then
   * watches that folder (cmd/argocd-repo-server/commands/argocd_repo_server.go; util/gpg/gpg.go,
   * InitializeGnuPG and SyncKeyRingFromDirectory). In a pod the folder is argocd-gpg-keys-cm
   * mounted at /app/config/gpg/source; here its files are written as the kubelet would.
   */
  private async startRepoServer(extraEnv: Readonly<Record<string, string>>, gpgPublicKeys: Readonly<Record<string, string>>): Promise<void> {
    const gpgSource = path.join(this.dir, 'gpg', 'source');
    fs.mkdirSync(this.gnupgHome, { recursive: true, mode: 0o700 });
    fs.mkdirSync(gpgSource, { recursive: true });
    for (const [keyId, armored] of Object.entries(gpgPublicKeys)) {
      fs.writeFileSync(path.join(gpgSource, keyId), armored);
    }
    const repoServer = this.run('argocd-repo-server', this.binaries.repoServer, [
      '--address', '127.0.0.1', '--port', String(this.ports.repoServer),
      '--metrics-address', '127.0.0.1', '--metrics-port', String(this.ports.repoServerMetrics),
      '--redis', this.redisAddress, '--loglevel', 'info',
      // Its default list (util/tls/tls.go, DefaultTLSCipherSuite) adds TLS_RSA_WITH_AES_256_GCM_SHA384, which
      // the Go toolchain here (1.26) lists only among tls.InsecureCipherSuites(): it would exit "invalid cipher suite".
      '--tlsciphers', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    ], {
      // Its checkouts go to $TMPDIR/_argocd-repo (reposerver/server.go: os.TempDir()): this run's folder, removed by stop().
      TMPDIR: this.dir,
      // The git credential helper's socket defaults to /tmp/reposerver-ask-pass.sock (reposerver/askpass/common.go): one per run.
      ARGOCD_ASK_PASS_SOCK: path.join(this.dir, 'ask-pass.sock'),
      ARGOCD_GNUPGHOME: this.gnupgHome,
      ARGOCD_GPG_DATA_PATH: gpgSource,
      ...extraEnv,
      // The wrappers Argo CD's image has in /usr/local/bin, before the caller's PATH.
      PATH: `${argocdGpgWrappersDir()}:${extraEnv.PATH ?? process.env.PATH}`,
    });
    // `?full=true` answers only once the gRPC server serves (cmd/argocd-repo-server/commands/argocd_repo_server.go).
    await waitFor('argocd-repo-server /healthz?full=true', () => httpOk(`http://127.0.0.1:${this.ports.repoServerMetrics}/healthz?full=true`), { timeoutMs: START_TIMEOUT_MS, process: repoServer });
  }

  private async startApplicationController(appResyncSeconds: number, selfHealTimeoutSeconds: number): Promise<void> {
    const controller = this.run('argocd-application-controller', this.binaries.applicationController, [
      '--kubeconfig', this.plane.kubeconfigFile, '--namespace', ARGOCD_NAMESPACE,
      '--repo-server', this.repoServerAddress, '--redis', this.redisAddress,
      // Its metrics server listens on 0.0.0.0:<port> whatever the flags say (controller/appcontroller.go: metricsAddr).
      '--metrics-port', String(this.ports.controllerMetrics),
      '--app-resync', String(appResyncSeconds), '--self-heal-timeout-seconds', String(selfHealTimeoutSeconds),
      '--loglevel', 'info',
    ], {
      // Applications name their destination https://kubernetes.default.svc. For that name Argo CD
      // always calls rest.InClusterConfig() (a pod's service-account files), a cluster Secret for it
      // only swapping the credentials, unless ARGOCD_FAKE_IN_CLUSTER is set: then it reads $KUBECONFIG
      // (Cluster.RawRestConfig in pkg/apis/application/v1alpha1/types.go of v2.10.18).
      ARGOCD_FAKE_IN_CLUSTER: 'true',
      KUBECONFIG: this.plane.kubeconfigFile,
      TMPDIR: this.dir,
    });
    await waitFor('argocd-application-controller /healthz', () => httpOk(`http://127.0.0.1:${this.ports.controllerMetrics}/healthz`), { timeoutMs: START_TIMEOUT_MS, process: controller });
  }

  /** A ManagedProcess with `env` added to this process's environment (through env(1): ManagedProcess passes its own). */
  private run(name: string, command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): ManagedProcess {
    const assignments = Object.entries(env).map(([key, value]) => `${key}=${value}`);
    const process = new ManagedProcess(name, 'env', [...assignments, command, ...args], path.join(this.dir, `${name}.log`));
    this.processes.push(process);
    return process;
  }
}

/** `argocd_app_sync_total` of a Prometheus text exposition, as `<name> <phase>` -> count. */
export function syncCountsOf(exposition: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of exposition.split('\n').filter((candidate) => candidate.startsWith('argocd_app_sync_total{'))) {
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    counts[`${labels.name} ${labels.phase}`] = Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return counts;
}

async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url).catch(() => undefined);
  await response?.body?.cancel();
  return response?.ok ?? false;
}

/** PING over RESP on loopback: true once redis answers +PONG (it refuses connections until it has loaded). */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(2000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString('utf8').startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
