import { KubeClient, KubeObject } from '../cluster/kube-client';

const WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';

export interface WaveOrder {
  /** Per wave, ascending: how many objects, and the span of their creation times. */
  readonly waves: { readonly wave: number; readonly objects: number; readonly firstCreated: string; readonly lastCreated: string }[];
  /** Objects of a later wave created before an object of an earlier one, one line per pair of waves. */
  readonly violations: string[];
  /** Rendered objects the cluster does not have. */
  readonly missing: string[];
}

const annotationsOf = (object: KubeObject) => (object.metadata.annotations ?? {}) as Record<string, string>;
const nameOf = (object: KubeObject) => `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;

/**
 * Whether an Application applied `rendered` in the order of its sync waves: every live object of a
 * wave was created no later than every live object of the next (creationTimestamp, whole seconds;
 * Argo CD waits for a wave to be healthy, then 2 s, before the next). Hooks keep no wave and are
 * left out. For objects created by that Application's first sync, i.e. on a fresh cluster.
 */
export async function objectWaveOrder(client: KubeClient, rendered: readonly KubeObject[]): Promise<WaveOrder> {
  const created: { object: KubeObject; wave: number; at: string }[] = [];
  const missing: string[] = [];
  for (const object of rendered.filter((candidate) => !annotationsOf(candidate)[HOOK_ANNOTATION])) {
    const response = await client.request('GET', client.pathOf(object));
    const at = (response.body as { metadata?: { creationTimestamp?: string } }).metadata?.creationTimestamp;
    if (response.status !== 200 || !at) {
      missing.push(nameOf(object));
      continue;
    }
    created.push({ object, wave: Number(annotationsOf(object)[WAVE_ANNOTATION] ?? 0), at });
  }
  const waves = [...new Set(created.map((entry) => entry.wave))].sort((a, b) => a - b).map((wave) => {
    const times = created.filter((entry) => entry.wave === wave).sort((a, b) => a.at.localeCompare(b.at));
    return { wave, entries: times };
  });
  const violations: string[] = [];
  for (let index = 1; index < waves.length; index++) {
    const earlier = waves.slice(0, index).flatMap((wave) => wave.entries).sort((a, b) => a.at.localeCompare(b.at));
    const latestEarlier = earlier[earlier.length - 1];
    const firstLater = waves[index].entries[0];
    if (firstLater.at < latestEarlier.at) {
      violations.push(`${nameOf(firstLater.object)} (wave ${firstLater.wave}) was created at ${firstLater.at}, before ${nameOf(latestEarlier.object)} (wave ${latestEarlier.wave}) at ${latestEarlier.at}`);
    }
  }
  return {
    waves: waves.map(({ wave, entries }) => ({ wave, objects: entries.length, firstCreated: entries[0].at, lastCreated: entries[entries.length - 1].at })),
    violations,
    missing,
  };
}
