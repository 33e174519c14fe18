import { KubeClient, statusMessage } from '../cluster/kube-client';

/**
 * What a controller that does not run here would write, limited to what Argo CD reads (its health
 * checks, resource_customizations/<group>/<kind>/health.lua at v2.10.18, and gitops-engine's
 * built-in ones). Each is named in `simulated` so a test's output says what was not real.
 */
interface Simulation {
  /** `<group>/<version>/<plural>`, or `v1/<plural>` for the core group. */
  readonly resource: string;
  readonly kind: string;
  /** Who would write it in a real cluster. */
  readonly controller: string;
  /** The status to write, from the object; `undefined` when it already has it. */
  readonly status: (object: LiveObject) => Record<string, unknown> | undefined;
  /** Whether the resource has a status subresource (CRDs here do; a core Ingress does). */
  readonly statusSubresource: boolean;
}

interface LiveObject {
  metadata: { name: string; namespace?: string; generation?: number };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: { type: string; status: string }[] };
}

const isReady = (object: LiveObject) => (object.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');
const readyStatus = (message: string) => (object: LiveObject) =>
  isReady(object) ? undefined : { conditions: [{ type: 'Ready', status: 'True', reason: 'Simulated', message, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] };

/** The kinds whose status is written, and by whom in a real cluster. */
export const SIMULATIONS: readonly Simulation[] = [
  { resource: 'cert-manager.io/v1/certificates', kind: 'Certificate', controller: 'cert-manager', status: readyStatus('Certificate is up to date and has not expired'), statusSubresource: true },
  { resource: 'cert-manager.io/v1/clusterissuers', kind: 'ClusterIssuer', controller: 'cert-manager', status: readyStatus('Signing CA verified'), statusSubresource: true },
  { resource: 'cert-manager.io/v1/issuers', kind: 'Issuer', controller: 'cert-manager', status: readyStatus('Signing CA verified'), statusSubresource: true },
  { resource: 'external-secrets.io/v1beta1/externalsecrets', kind: 'ExternalSecret', controller: 'External Secrets', status: readyStatus('Secret was synced'), statusSubresource: true },
  { resource: 'external-secrets.io/v1beta1/secretstores', kind: 'SecretStore', controller: 'External Secrets', status: readyStatus('store validated'), statusSubresource: true },
  { resource: 'external-secrets.io/v1beta1/clustersecretstores', kind: 'ClusterSecretStore', controller: 'External Secrets', status: readyStatus('store validated'), statusSubresource: true },
  {
    resource: 'argoproj.io/v1alpha1/rollouts',
    kind: 'Rollout',
    controller: 'Argo Rollouts',
    // The Rollout health check reads phase once observedGeneration (a string) matches the generation.
    status: (object) =>
      object.status?.phase === 'Healthy' && object.status?.observedGeneration === String(object.metadata.generation)
        ? undefined
        : { phase: 'Healthy', message: 'simulated', observedGeneration: String(object.metadata.generation) },
    statusSubresource: true,
  },
  {
    resource: 'networking.k8s.io/v1/ingresses',
    kind: 'Ingress',
    controller: 'ingress-nginx',
    // gitops-engine calls an Ingress healthy once it has a load-balancer address (192.0.2.0/24: TEST-NET-1).
    status: (object) => ((object.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress?.length ? undefined : { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } }),
    statusSubresource: true,
  },
];

/**
 * Writes, every `intervalMs`, the status each simulated controller would write, on every object of
 * its kinds the server serves. `stop()` ends the loop; `written` counts writes per kind.
 */
export class SimulatedControllers {
  public readonly written: Record<string, number> = {};
  /** Writes the server refused (other than a conflict or a vanished object); `stop()` throws them. */
  public readonly errors: string[] = [];
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  private constructor(private readonly client: KubeClient, private readonly intervalMs: number) {}

  public static start(client: KubeClient, intervalMs = 500): SimulatedControllers {
    const controllers = new SimulatedControllers(client, intervalMs);
    controllers.loop = controllers.run();
    return controllers;
  }

  /** `<Kind> (<controller>)` per simulated kind, for a test's output. */
  public static describe(): string[] {
    return [
      ...SIMULATIONS.map((simulation) => `${simulation.kind}: status written as ${simulation.controller} would`),
      'PersistentVolumeClaim: a PersistentVolume made for each pending claim, as its StorageClass\'s CSI driver would (bound by the real PV controller)',
    ];
  }

  public async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.errors.length > 0) {
      throw new Error(`simulated controllers: ${[...new Set(this.errors)].join('; ')}`);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      for (const simulation of SIMULATIONS) {
        await this.pass(simulation).catch((error: Error) => this.errors.push(error.message));
      }
      await this.provisionVolumes().catch((error: Error) => this.errors.push(error.message));
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  /** A PersistentVolume pre-bound to each pending claim (hostPath: nothing is written to it; KWOK runs no container). */
  private async provisionVolumes(): Promise<void> {
    const claims = (await this.client.request('GET', '/api/v1/persistentvolumeclaims')).body as { items: (LiveObject & { spec: { storageClassName?: string; accessModes: string[]; resources: { requests: { storage: string } }; volumeName?: string } })[] };
    for (const claim of claims.items.filter((candidate) => candidate.status?.phase === 'Pending' && !candidate.spec.volumeName)) {
      const name = `simulated-${claim.metadata.namespace}-${claim.metadata.name}`.slice(0, 253);
      const volume = {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name },
        spec: {
          capacity: { storage: claim.spec.resources.requests.storage },
          accessModes: claim.spec.accessModes,
          storageClassName: claim.spec.storageClassName ?? '',
          persistentVolumeReclaimPolicy: 'Delete',
          hostPath: { path: `/simulated/${name}` },
          claimRef: { namespace: claim.metadata.namespace, name: claim.metadata.name },
        },
      };
      const response = await this.client.request('POST', '/api/v1/persistentvolumes', volume);
      if (response.status === 201) {
        this.written.PersistentVolume = (this.written.PersistentVolume ?? 0) + 1;
      } else if (response.status !== 409) {
        throw new Error(`provisioning a volume for ${claim.metadata.namespace}/${claim.metadata.name}: ${statusMessage(response)}`);
      }
    }
  }

  private async pass(simulation: Simulation): Promise<void> {
    const base = simulation.resource.startsWith('v1/') ? `/api/${simulation.resource}` : `/apis/${simulation.resource}`;
    const list = await this.client.request('GET', base);
    if (list.status !== 200) {
      return; // not served (its CRD is not installed yet)
    }
    for (const object of (list.body as { items: LiveObject[] }).items) {
      const status = simulation.status(object);
      if (!status) {
        continue;
      }
      const [prefix, plural] = [base.slice(0, base.lastIndexOf('/')), base.slice(base.lastIndexOf('/') + 1)];
      const path = `${prefix}${object.metadata.namespace ? `/namespaces/${object.metadata.namespace}` : ''}/${plural}/${object.metadata.name}${simulation.statusSubresource ? '/status' : ''}`;
      const response = await this.client.request('PATCH', path, { status }, 'application/merge-patch+json');
      if (response.status === 200) {
        this.written[simulation.kind] = (this.written[simulation.kind] ?? 0) + 1;
      } else if (response.status !== 404 && response.status !== 409) {
        throw new Error(`writing the status of ${simulation.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: ${statusMessage(response)}`);
      }
    }
  }
}
