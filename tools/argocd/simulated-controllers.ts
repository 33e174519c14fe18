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
  /**
   * The status to write, from the object and what it depends on (`lookup` reads another object of
   * the cluster, `undefined` when it does not exist); `undefined` when it already has it.
   */
  readonly status: (object: LiveObject, lookup: Lookup) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
  /** Fields of the spec the controller fills in when they are missing (a merge patch of the object), or `undefined`. @default none */
  readonly specDefaults?: (object: LiveObject) => Record<string, unknown> | undefined;
  /** Whether the resource has a status subresource (CRDs here do; a core Ingress does). */
  readonly statusSubresource: boolean;
}

interface LiveObject {
  metadata: { name: string; namespace?: string; generation?: number };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: { type: string; status: string; message?: string }[] };
}

/** Reads an object by API path (`/apis/<group>/<version>/[namespaces/<ns>/]<plural>/<name>`); `undefined` when it does not exist. */
type Lookup = (path: string) => Promise<LiveObject | undefined>;

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const readyCondition = (object: LiveObject | undefined) => (object?.status?.conditions ?? []).find((condition) => condition.type === 'Ready');
const isReady = (object: LiveObject | undefined) => readyCondition(object)?.status === 'True';
const readyStatus = (message: string) => (object: LiveObject) =>
  isReady(object) ? undefined : { conditions: [{ type: 'Ready', status: 'True', reason: 'Simulated', message, lastTransitionTime: now() }] };

/**
 * Ready once what the object reads from is there and Ready, as its controller decides; until then
 * `Ready: False` with the controller's reason and a message naming what is missing, which Argo CD's
 * health check turns into Degraded (external-secrets.io/ExternalSecret and
 * cert-manager.io/Certificate health.lua). So an object synced before its store or issuer shows
 * as such, as in a real cluster, instead of passing.
 */
const readyWhenDependencyReady = (options: {
  readonly message: string;
  readonly notReadyReason: string;
  /** What the object reads from; `statusless` ones (e.g. a Password generator) need only exist. */
  readonly dependencies: (object: LiveObject) => readonly { readonly path: string; readonly describe: string; readonly statusless?: boolean }[];
}) => async (object: LiveObject, lookup: Lookup) => {
  let problem: string | undefined;
  for (const dependency of options.dependencies(object)) {
    const found = await lookup(dependency.path);
    if (!found || (dependency.statusless !== true && !isReady(found))) {
      problem = `${dependency.describe} ${found ? 'is not ready' : 'does not exist'}`;
      break;
    }
  }
  const ready = problem === undefined;
  const message = problem ?? options.message;
  const current = readyCondition(object);
  if (current?.status === (ready ? 'True' : 'False') && current.message === message) {
    return undefined;
  }
  return { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'Simulated' : options.notReadyReason, message, lastTransitionTime: now() }] };
};

interface Reference { readonly name: string; readonly kind?: string }
const referenceOf = (object: LiveObject, field: string): Reference => ((object.spec ?? {})[field] ?? { name: '' }) as Reference;
const scopedPath = (resource: string, object: LiveObject, clusterScoped: boolean, name: string) =>
  `/apis/${resource.slice(0, resource.lastIndexOf('/'))}${clusterScoped ? '' : `/namespaces/${object.metadata.namespace}`}/${resource.slice(resource.lastIndexOf('/') + 1)}/${name}`;

/**
 * External Secrets: an ExternalSecret syncs through its store (`spec.secretStoreRef`, kind
 * SecretStore unless said), where it names one, and with the generators of its `dataFrom` (e.g. a
 * Password in its namespace), which have no status: they need only exist.
 */
const externalSecretStatus = readyWhenDependencyReady({
  message: 'Secret was synced',
  notReadyReason: 'SecretSyncedError',
  dependencies: (object) => {
    const spec = (object.spec ?? {}) as { secretStoreRef?: Reference; dataFrom?: { sourceRef?: { generatorRef?: { kind: string; name: string } } }[] };
    const stores = spec.secretStoreRef === undefined ? [] : [spec.secretStoreRef].map((reference) => {
      const kind = reference.kind ?? 'SecretStore';
      const clusterScoped = kind === 'ClusterSecretStore';
      return { path: scopedPath(`external-secrets.io/v1beta1/${clusterScoped ? 'clustersecretstores' : 'secretstores'}`, object, clusterScoped, reference.name), describe: `${kind} "${reference.name}"` };
    });
    const generators = (spec.dataFrom ?? []).flatMap((entry) => (entry.sourceRef?.generatorRef === undefined ? [] : [entry.sourceRef.generatorRef])).map((reference) => ({
      path: scopedPath(`generators.external-secrets.io/v1alpha1/${reference.kind.toLowerCase()}s`, object, false, reference.name),
      describe: `generator ${reference.kind} "${reference.name}"`,
      statusless: true,
    }));
    return [...stores, ...generators];
  },
});

/** cert-manager: a Certificate is issued by its issuer (`spec.issuerRef`, kind Issuer unless said). */
const certificateStatus = readyWhenDependencyReady({
  message: 'Certificate is up to date and has not expired',
  notReadyReason: 'DoesNotExist',
  dependencies: (object) => {
    const reference = referenceOf(object, 'issuerRef');
    const kind = reference.kind ?? 'Issuer';
    const clusterScoped = kind === 'ClusterIssuer';
    return [{ path: scopedPath(`cert-manager.io/v1/${clusterScoped ? 'clusterissuers' : 'issuers'}`, object, clusterScoped, reference.name), describe: `${kind} "${reference.name}"` }];
  },
});

/** The kinds whose status is written, and by whom in a real cluster. */
export const SIMULATIONS: readonly Simulation[] = [
  { resource: 'cert-manager.io/v1/certificates', kind: 'Certificate', controller: 'cert-manager', status: certificateStatus, statusSubresource: true },
  { resource: 'cert-manager.io/v1/clusterissuers', kind: 'ClusterIssuer', controller: 'cert-manager', status: readyStatus('Signing CA verified'), statusSubresource: true },
  { resource: 'cert-manager.io/v1/issuers', kind: 'Issuer', controller: 'cert-manager', status: readyStatus('Signing CA verified'), statusSubresource: true },
  { resource: 'external-secrets.io/v1beta1/externalsecrets', kind: 'ExternalSecret', controller: 'External Secrets', status: externalSecretStatus, statusSubresource: true },
  { resource: 'external-secrets.io/v1beta1/secretstores', kind: 'SecretStore', controller: 'External Secrets', status: readyStatus('store validated'), statusSubresource: true },
  { resource: 'external-secrets.io/v1beta1/clustersecretstores', kind: 'ClusterSecretStore', controller: 'External Secrets', status: readyStatus('store validated'), statusSubresource: true },
  {
    resource: 'argoproj.io/v1alpha1/rollouts',
    kind: 'Rollout',
    controller: 'Argo Rollouts',
    // Argo Rollouts defaults a missing spec.replicas to 1 (rollout/controller.go, argo-rollouts
    // issue 119): without it the scale subresource has nothing to read and an HPA fails with "the
    // spec replicas field .spec.replicas does not exist". Its status carries what the health
    // check reads (phase once observedGeneration, a string, matches; the replica counts) and what
    // the scale subresource serves an HPA (status.replicas, status.selector).
    specDefaults: (object) => ((object.spec as { replicas?: number } | undefined)?.replicas === undefined ? { replicas: 1 } : undefined),
    status: (object) => {
      const spec = (object.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
      const replicas = spec.replicas ?? 1;
      const selector = Object.entries(spec.selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`).join(',');
      const status = object.status ?? {};
      if (status.phase === 'Healthy' && status.observedGeneration === String(object.metadata.generation) && status.replicas === replicas && status.selector === selector) {
        return undefined;
      }
      return {
        phase: 'Healthy', message: 'simulated', observedGeneration: String(object.metadata.generation),
        replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, HPAReplicas: replicas, selector,
      };
    },
    statusSubresource: true,
  },
  {
    resource: 'monitoring.coreos.com/v1/prometheuses',
    kind: 'Prometheus',
    controller: 'the Prometheus operator',
    // resource_customizations/monitoring.coreos.com/Prometheus/health.lua reads the Available condition.
    status: (object) => {
      if ((object.status?.conditions ?? []).some((condition) => condition.type === 'Available' && condition.status === 'True')) {
        return undefined;
      }
      const replicas = Number((object.spec as { replicas?: number } | undefined)?.replicas ?? 1);
      // The CRD requires these counts beside the conditions.
      return {
        paused: false, replicas, updatedReplicas: replicas, availableReplicas: replicas, unavailableReplicas: 0,
        conditions: [{ type: 'Available', status: 'True', reason: 'Simulated', lastTransitionTime: now() }],
      };
    },
    statusSubresource: true,
  },
  {
    resource: 'v1/services',
    kind: 'Service',
    controller: 'the cloud load-balancer controller',
    // gitops-engine calls a LoadBalancer Service healthy once it has an address; other types have no status to write.
    status: (object) =>
      (object.spec as { type?: string } | undefined)?.type !== 'LoadBalancer' || (object.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress?.length
        ? undefined
        : { loadBalancer: { ingress: [{ ip: '192.0.2.20' }] } },
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
    const lookup: Lookup = async (objectPath) => {
      const response = await this.client.request('GET', objectPath);
      return response.status === 200 ? (response.body as LiveObject) : undefined;
    };
    for (const object of (list.body as { items: LiveObject[] }).items) {
      const [prefix, plural] = [base.slice(0, base.lastIndexOf('/')), base.slice(base.lastIndexOf('/') + 1)];
      const objectPath = `${prefix}${object.metadata.namespace ? `/namespaces/${object.metadata.namespace}` : ''}/${plural}/${object.metadata.name}`;
      const defaults = simulation.specDefaults?.(object);
      if (defaults) {
        const response = await this.client.request('PATCH', objectPath, { spec: defaults }, 'application/merge-patch+json');
        if (response.status !== 200 && response.status !== 404 && response.status !== 409) {
          throw new Error(`defaulting the spec of ${simulation.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: ${statusMessage(response)}`);
        }
        continue; // its status follows on the next pass, from the defaulted object
      }
      const status = await simulation.status(object, lookup);
      if (!status) {
        continue;
      }
      const path = `${objectPath}${simulation.statusSubresource ? '/status' : ''}`;
      const response = await this.client.request('PATCH', path, { status }, 'application/merge-patch+json');
      if (response.status === 200) {
        this.written[simulation.kind] = (this.written[simulation.kind] ?? 0) + 1;
      } else if (response.status !== 404 && response.status !== 409) {
        throw new Error(`writing the status of ${simulation.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: ${statusMessage(response)}`);
      }
    }
  }
}
