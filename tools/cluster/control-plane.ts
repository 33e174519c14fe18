import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { KubeClient, KubeObject, KubeResponse, statusMessage } from './kube-client';
import { ClusterBinaries, clusterBinaries } from './kubernetes-binaries';
import { freePorts, ManagedProcess, removeOrphanedScratchFolders, scratchFolderName, waitFor } from './managed-process';
import { pinnedCrds } from './pinned-crds';
import { makeControlPlanePki } from './pki';

export interface ControlPlaneOptions {
  /**
   * Run kube-controller-manager: the quota controller (a ResourceQuota admits nothing until it has
   * counted), the namespace, service-account, ReplicaSet, node-lifecycle and the other controllers.
   * @default true
   */
  readonly controllerManager?: boolean;
  /** Extra kube-controller-manager flags (e.g. `--node-monitor-grace-period=20s`). @default [] */
  readonly controllerManagerArgs?: readonly string[];
  /** Extra kube-apiserver flags. @default [] */
  readonly apiserverArgs?: readonly string[];
  /** Run kube-scheduler. @default false */
  readonly scheduler?: boolean;
  /** Run the KWOK controller for nodes annotated `kwok.x-k8s.io/node: fake`. @default false */
  readonly kwok?: boolean;
  /** Load every CRD pinned in schemas.lock.json. @default true */
  readonly pinnedCrds?: boolean;
  /** Progress lines (a first build, each component ready). @default none */
  readonly log?: (line: string) => void;
}

/** The scratch folders' prefix under the system temp folder; the owner's pid follows. */
const SCRATCH_PREFIX = 'generator-platform-control-plane-';
/** The admission plugins a kubeadm 1.27 cluster runs (its defaults plus NodeRestriction), written out so the list is visible. */
export const ADMISSION_PLUGINS = [
  'NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'NodeRestriction', 'TaintNodesByCondition', 'PodSecurity', 'Priority',
  'DefaultTolerationSeconds', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'PersistentVolumeClaimResize', 'RuntimeClass',
  'CertificateApproval', 'CertificateSigning', 'CertificateSubjectRestriction', 'DefaultIngressClass', 'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionWebhook', 'ResourceQuota',
];
/** Nodes KWOK takes care of carry this annotation (KWOK's own convention). */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
/** The node leases KWOK holds for its nodes, in seconds: a kubelet's default (`nodeLeaseDurationSeconds`). */
export const KWOK_NODE_LEASE_SECONDS = 40;
const START_TIMEOUT_MS = 90_000;
/** About a hundred CRDs (megabytes of schemas) take the API server 10-45 s on a busy 2-core machine. */
const CRD_TIMEOUT_MS = 180_000;

/**
 * A Kubernetes 1.27.16 control plane on loopback: etcd, kube-apiserver (own CA and serving
 * certificate, token authentication, RBAC, the admission plugins of a real cluster), and on
 * request kube-controller-manager, kube-scheduler and KWOK, each waited for by its readiness
 * endpoint. Ports are picked free per run. `stop()` ends every process group it started and removes
 * its folder; a failed start stops what it had started.
 */
export class ControlPlane {
  public readonly processes: ManagedProcess[] = [];
  public client!: KubeClient;
  /** A kubeconfig with the admin token (system:masters), for kubectl. */
  public readonly kubeconfigFile: string;
  public readonly server: string;

  private constructor(
    public readonly dir: string,
    private readonly binaries: ClusterBinaries,
    private readonly ports: Record<'etcdClient' | 'etcdPeer' | 'apiserver' | 'controllerManager' | 'scheduler' | 'kwok', number>,
    private readonly tokens: Record<'admin' | 'controllerManager' | 'scheduler', string>,
  ) {
    this.server = `https://127.0.0.1:${ports.apiserver}`;
    this.kubeconfigFile = path.join(dir, 'admin.kubeconfig');
  }

  public static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const log = options.log ?? (() => undefined);
    const binaries = clusterBinaries(log);
    removeOrphanedScratchFolders(os.tmpdir(), SCRATCH_PREFIX);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), scratchFolderName(SCRATCH_PREFIX)));
    const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] = await freePorts(6);
    const token = () => randomBytes(24).toString('hex');
    const plane = new ControlPlane(dir, binaries, { etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok }, { admin: token(), controllerManager: token(), scheduler: token() });
    try {
      await plane.startEtcd();
      await plane.startApiserver(options.apiserverArgs ?? []);
      log(`kube-apiserver ready at ${plane.server}`);
      const started: Promise<void>[] = [];
      if (options.controllerManager ?? true) {
        started.push(plane.startControllerManager(options.controllerManagerArgs ?? []));
      }
      if (options.scheduler ?? false) {
        started.push(plane.startScheduler());
      }
      if (options.kwok ?? false) {
        started.push(plane.startKwok());
      }
      if (options.pinnedCrds ?? true) {
        started.push(plane.loadCrds(pinnedCrds()));
      }
      await Promise.all(started);
      return plane;
    } catch (error) {
      await plane.stop();
      throw error;
    }
  }

  /** Ends every process it started (process groups, SIGTERM then SIGKILL) and removes its folder. */
  public async stop(): Promise<void> {
    this.client?.close();
    // Last started first: the API server shuts down cleanly only while etcd still answers.
    for (const process of [...this.processes].reverse()) {
      await process.stop();
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Creates or replaces CRDs for real (strict field validation), waits until the API server serves
   * every version of each accepted one (it lists them in discovery once the CRD is Established;
   * polling discovery is cheap, polling megabyte-sized CRDs is not) and keeps the served resources,
   * so objects of those kinds can follow. Returns the answer to each, in order (a refusal is the caller's finding).
   */
  public async applyCrds(crds: readonly KubeObject[]): Promise<KubeResponse[]> {
    const responses = await Promise.all(crds.map((crd) => this.client.createOrReplace(crd)));
    const served = crds
      .filter((_, index) => responses[index].status < 300)
      .flatMap((crd) => {
        const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
        return spec.versions.filter((version) => version.served).map((version) => ({ apiVersion: `${spec.group}/${version.name}`, kind: spec.names.kind }));
      });
    await waitFor(`the API server to serve ${served.length} CRD versions`, async () => {
      await this.client.discover();
      return served.every((version) => this.client.resourceOf(version.apiVersion, version.kind) !== undefined);
    }, { timeoutMs: CRD_TIMEOUT_MS, intervalMs: 250 });
    return responses;
  }

  /** `applyCrds` that throws on the first refusal: for CRDs that must load (the pinned ones). */
  public async loadCrds(crds: readonly KubeObject[]): Promise<void> {
    const responses = await this.applyCrds(crds);
    const refused = responses.findIndex((response) => response.status >= 300);
    if (refused >= 0) {
      throw new Error(`CustomResourceDefinition ${crds[refused].metadata.name} was refused: ${statusMessage(responses[refused])}`);
    }
  }

  private run(name: string, command: string, args: readonly string[]): ManagedProcess {
    const process = new ManagedProcess(name, command, args, path.join(this.dir, `${name}.log`));
    this.processes.push(process);
    return process;
  }

  private async startEtcd(): Promise<void> {
    const client = `http://127.0.0.1:${this.ports.etcdClient}`;
    const peer = `http://127.0.0.1:${this.ports.etcdPeer}`;
    const etcd = this.run('etcd', this.binaries.etcd, [
      `--data-dir=${path.join(this.dir, 'etcd')}`, '--name=default',
      `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=default=${peer}`,
      // A test store: no fsync (etcd 3.4's flag), which makes writes about ten times faster on a shared disk.
      '--unsafe-no-fsync', '--logger=zap', '--log-level=warn',
    ]);
    await waitFor('etcd /health', async () => (await httpGet(`${client}/health`)).includes('"health":"true"'), { timeoutMs: START_TIMEOUT_MS, process: etcd });
  }

  private async startApiserver(extraArgs: readonly string[]): Promise<void> {
    const pki = makeControlPlanePki(path.join(this.dir, 'pki'));
    const tokenFile = path.join(this.dir, 'tokens.csv');
    fs.writeFileSync(
      tokenFile,
      [
        `${this.tokens.admin},admin,admin,"system:masters"`,
        `${this.tokens.controllerManager},system:kube-controller-manager,system:kube-controller-manager`,
        `${this.tokens.scheduler},system:kube-scheduler,system:kube-scheduler`,
      ].join('\n') + '\n',
      { mode: 0o600 },
    );
    const apiserver = this.run('kube-apiserver', this.binaries.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${this.ports.etcdClient}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${this.ports.apiserver}`,
      `--tls-cert-file=${pki.servingCertFile}`, `--tls-private-key-file=${pki.servingKeyFile}`, `--client-ca-file=${pki.caCertFile}`,
      `--token-auth-file=${tokenFile}`, '--authorization-mode=Node,RBAC', '--anonymous-auth=false',
      `--enable-admission-plugins=${ADMISSION_PLUGINS.join(',')}`, '--allow-privileged=true',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`, `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
      '--service-cluster-ip-range=10.96.0.0/12', `--cert-dir=${path.join(this.dir, 'pki')}`, '--profiling=false', '--v=1', ...extraArgs,
    ]);
    this.client = new KubeClient(this.server, this.tokens.admin, pki.caPem);
    await waitFor('kube-apiserver /readyz', async () => (await this.client.request('GET', '/readyz')).status === 200, { timeoutMs: START_TIMEOUT_MS, process: apiserver });
    this.writeKubeconfig(this.kubeconfigFile, this.tokens.admin, pki.caCertFile);
    await this.client.discover();
  }

  private async startControllerManager(extraArgs: readonly string[]): Promise<void> {
    const kubeconfig = this.writeKubeconfig(path.join(this.dir, 'controller-manager.kubeconfig'), this.tokens.controllerManager, path.join(this.dir, 'pki', 'ca.crt'));
    const pki = path.join(this.dir, 'pki');
    const controllerManager = this.run('kube-controller-manager', this.binaries.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`, '--bind-address=127.0.0.1', `--secure-port=${this.ports.controllerManager}`, `--cert-dir=${path.join(this.dir, 'controller-manager')}`,
      '--leader-elect=false', '--use-service-account-credentials=true',
      `--service-account-private-key-file=${path.join(pki, 'sa.key')}`, `--root-ca-file=${path.join(pki, 'ca.crt')}`,
      `--cluster-signing-cert-file=${path.join(pki, 'ca.crt')}`, `--cluster-signing-key-file=${path.join(pki, 'ca.key')}`,
      '--cluster-name=generator-platform-test', '--profiling=false', ...extraArgs,
    ]);
    await waitFor('kube-controller-manager /healthz', () => healthz(this.ports.controllerManager), { timeoutMs: START_TIMEOUT_MS, process: controllerManager });
  }

  private async startScheduler(): Promise<void> {
    const kubeconfig = this.writeKubeconfig(path.join(this.dir, 'scheduler.kubeconfig'), this.tokens.scheduler, path.join(this.dir, 'pki', 'ca.crt'));
    const scheduler = this.run('kube-scheduler', this.binaries.kubeScheduler, [
      `--kubeconfig=${kubeconfig}`, '--bind-address=127.0.0.1', `--secure-port=${this.ports.scheduler}`, `--cert-dir=${path.join(this.dir, 'scheduler')}`,
      '--leader-elect=false', '--profiling=false',
    ]);
    await waitFor('kube-scheduler /healthz', () => healthz(this.ports.scheduler), { timeoutMs: START_TIMEOUT_MS, process: scheduler });
  }

  private async startKwok(): Promise<void> {
    // KWOK writes node and pod status for every simulated kubelet: the admin identity, as its own manifests grant cluster-wide.
    const config = path.join(this.dir, 'kwok.yaml');
    fs.writeFileSync(config, 'apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions: {}\n');
    const kwok = this.run('kwok', this.binaries.kwok, [
      `--config=${config}`, `--kubeconfig=${this.kubeconfigFile}`, '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`, `--server-address=127.0.0.1:${this.ports.kwok}`,
      // A kubelet's heartbeat: a Lease renewed every quarter of its duration (10 s), as the node lifecycle
      // controller reads it. Without leases KWOK posts node status only every 20-45 s, so with the
      // controller's default 40 s grace every node flaps NotReady now and then.
      `--node-lease-duration-seconds=${KWOK_NODE_LEASE_SECONDS}`,
    ]);
    await waitFor('kwok /readyz', async () => (await httpGet(`http://127.0.0.1:${this.ports.kwok}/readyz`)).trim() === 'ok', { timeoutMs: START_TIMEOUT_MS, process: kwok });
  }

  private writeKubeconfig(file: string, token: string, caFile: string): string {
    const kubeconfig = {
      apiVersion: 'v1', kind: 'Config', 'current-context': 'test',
      clusters: [{ name: 'test', cluster: { server: this.server, 'certificate-authority': caFile } }],
      users: [{ name: 'test', user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'test' } }],
    };
    fs.writeFileSync(file, JSON.stringify(kubeconfig, null, 2), { mode: 0o600 });
    return file;
  }
}

/** GET over plain HTTP on loopback; the body, or '' when nothing answers yet. */
async function httpGet(url: string): Promise<string> {
  const response = await fetch(url).catch(() => undefined);
  return response?.ok ? response.text() : '';
}

/** `/healthz` of a component that serves HTTPS with a certificate it made for itself (not verified: loopback, our own process). */
function healthz(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = https.get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}
