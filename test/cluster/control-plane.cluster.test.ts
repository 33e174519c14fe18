import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '../../tools/addons/addon-lock';
import { ControlPlane, KWOK_NODE_ANNOTATION } from '../../tools/cluster/control-plane';
import { KubeObject } from '../../tools/cluster/kube-client';
import { processGroupAlive, removeOrphanedScratchFolders, waitFor } from '../../tools/cluster/managed-process';
import { pinnedCrds } from '../../tools/cluster/pinned-crds';

let plane: ControlPlane;

/** The full control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, KWOK, and the pinned CRDs. */
beforeAll(async () => {
  plane = await ControlPlane.start({ scheduler: true, kwok: true });
}, 600_000);

afterAll(async () => {
  await plane?.stop();
});

const RESTRICTED_NAMESPACE: KubeObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'restricted', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.27' } },
};

function pod(name: string, namespace: string, spec: object): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }], ...spec } };
}

const RESTRICTED_CONTAINER = {
  name: 'app',
  image: 'registry.example/app:1',
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
};

describe('a Kubernetes 1.27.16 control plane on loopback (tools/cluster/control-plane.ts)', () => {
  test('serves Kubernetes v1.27.16 with every CRD pinned in schemas.lock.json established', async () => {
    const version = await plane.client.request('GET', '/version');
    expect(version.body).toMatchObject({ gitVersion: 'v1.27.16', major: '1', minor: '27' });
    const crds = pinnedCrds();
    expect(crds.length).toBeGreaterThan(25);
    for (const crd of crds) {
      const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
      for (const version of spec.versions.filter((candidate) => candidate.served)) {
        expect({ crd: crd.metadata.name, served: plane.client.resourceOf(`${spec.group}/${version.name}`, spec.names.kind) !== undefined }).toEqual({ crd: crd.metadata.name, served: true });
      }
    }
  });

  test('admits as a real cluster does: Pod Security by namespace label, service accounts that exist, field validation', async () => {
    expect((await plane.client.apply(RESTRICTED_NAMESPACE, { dryRun: false, fieldManager: 'test' })).status).toBe(201);
    await waitFor('the default ServiceAccount of namespace restricted', async () => (await plane.client.request('GET', '/api/v1/namespaces/restricted/serviceaccounts/default')).status === 200, { timeoutMs: 60_000 });
    const hostNetwork = await plane.client.dryRunCreate(pod('host-network', 'restricted', { containers: [RESTRICTED_CONTAINER], hostNetwork: true }));
    expect(hostNetwork.status).toBe(403);
    expect(JSON.stringify(hostNetwork.body)).toMatch(/violates PodSecurity \\"restricted:v1.27\\": host namespaces \(hostNetwork=true\)/);
    expect((await plane.client.dryRunCreate(pod('restricted', 'restricted', { containers: [RESTRICTED_CONTAINER] }))).status).toBe(201);
    const missingAccount = await plane.client.dryRunCreate(pod('missing-account', 'restricted', { containers: [RESTRICTED_CONTAINER], serviceAccountName: 'nobody' }));
    expect(JSON.stringify(missingAccount.body)).toMatch(/serviceaccount \\"nobody\\" not found/);
    const unknownField = await plane.client.dryRunCreate(pod('unknown-field', 'restricted', { containers: [{ ...RESTRICTED_CONTAINER, imagePullPolicie: 'Always' }] }));
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.body)).toMatch(/unknown field \\"spec.containers\[0\].imagePullPolicie\\"/);
  });

  test('schedules a Pod onto a KWOK node, which makes it Running and Ready without a container', async () => {
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'kwok-node-a', annotations: { [KWOK_NODE_ANNOTATION]: 'fake' }, labels: { 'topology.kubernetes.io/zone': 'zone-a', type: 'kwok' } },
      status: { allocatable: { cpu: '16', memory: '64Gi', pods: '110' }, capacity: { cpu: '16', memory: '64Gi', pods: '110' } },
    };
    expect((await plane.client.request('POST', '/api/v1/nodes', node)).status).toBe(201);
    expect((await plane.client.request('POST', '/api/v1/namespaces/restricted/pods', pod('scheduled', 'restricted', { containers: [RESTRICTED_CONTAINER] }))).status).toBe(201);
    await waitFor('the Pod to be Running and Ready on the KWOK node', async () => {
      const current = (await plane.client.request('GET', '/api/v1/namespaces/restricted/pods/scheduled')).body as { spec: { nodeName?: string }; status: { phase?: string; conditions?: { type: string; status: string }[] } };
      return current.spec.nodeName === 'kwok-node-a' && current.status.phase === 'Running' && (current.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    }, { timeoutMs: 60_000 });
  });

  test('a second control plane side by side gets its own ports and folder; stop() leaves no process and no folder', async () => {
    const second = await ControlPlane.start({ controllerManager: false, pinnedCrds: false });
    try {
      expect(second.server).not.toBe(plane.server);
      expect(second.dir).not.toBe(plane.dir);
      expect((await second.client.request('GET', '/readyz')).status).toBe(200);
      expect((await plane.client.request('GET', '/readyz')).status).toBe(200);
    } finally {
      await second.stop();
    }
    expect(second.processes.map((process) => process.name)).toEqual(['etcd', 'kube-apiserver']);
    expect(second.processes.filter((process) => processGroupAlive(process.processGroup))).toEqual([]);
    expect(fs.existsSync(second.dir)).toBe(false);
  });

  test('a run killed outright (SIGKILL, no clean-up) leaves no process behind, and the next start removes its folder', async () => {
    const script = "require('./tools/cluster/control-plane').ControlPlane.start({ controllerManager: false, pinnedCrds: false }).then((p) => console.log(JSON.stringify({ dir: p.dir, groups: p.processes.map((x) => x.processGroup) })))";
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ dir: string; groups: number[] }>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) {
          resolve(JSON.parse(output));
        }
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before its control plane was up`)));
    });
    expect(started.groups.every(processGroupAlive)).toBe(true);
    child.kill('SIGKILL');
    await waitFor('the watchdogs to end the orphaned etcd and kube-apiserver', async () => !started.groups.some(processGroupAlive), { timeoutMs: 30_000 });
    expect(fs.existsSync(started.dir)).toBe(true);
    removeOrphanedScratchFolders(os.tmpdir(), 'generator-platform-control-plane-');
    expect(fs.existsSync(started.dir)).toBe(false);
    expect(path.dirname(started.dir)).toBe(os.tmpdir());
  });
});
