import { list, record, records, text } from '../validation/json-access';
import { apiGroupOf, ManifestObject } from '../validation/manifest';
import { podTemplatesOf } from '../validation/pod-templates';
import { PodSet, podSetsOf } from './pod-sets';
import { EVERY_POD, Flow, OneSidedRule, OutsidePeer, policyFlowsOf } from './policy-flows';
import { RenderedEnvironment, syncWaveOf } from './rendered-environment';
import { outsideTlsReason, tlsEvidenceOf } from './tls-evidence';

export type EdgeKind = 'flow' | 'route' | 'manages';

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  /** Cluster (layer) the node is drawn in. */
  readonly layer: string;
  readonly shape: 'box' | 'cylinder' | 'component' | 'note' | 'ellipse';
  readonly tooltip: string;
}

/** One port of a flow, with the setting that makes it TLS (absent: nothing rendered says TLS). */
export interface FlowPort {
  readonly port: number;
  readonly protocol: string;
  readonly tls?: string;
  readonly policies: readonly string[];
}

export interface GraphEdge {
  readonly kind: EdgeKind;
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** Only for `flow`: every allowed port. */
  readonly ports: readonly FlowPort[];
  readonly tooltip: string;
}

export interface EnvironmentGraph {
  readonly environment: string;
  readonly namespace: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly flows: readonly Flow[];
  readonly oneSided: readonly OneSidedRule[];
  /** The drawn node of each end of a flow: a peer's pods are drawn as the add-on that runs them, address blocks by what they are. */
  readonly nodeOf: Readonly<Record<string, string>>;
}

/** The add-on (Argo CD Application) that reconciles an API group, and the kinds it leaves to another (the RabbitMQ topology operator). */
function managerOf(object: ManifestObject): string | undefined {
  const group = apiGroupOf(object.apiVersion);
  if (group === 'rabbitmq.com') {
    return object.kind === 'RabbitmqCluster' ? 'rabbitmq-cluster-operator' : 'rabbitmq-messaging-topology-operator';
  }
  const byGroup: Record<string, string> = {
    'postgresql.cnpg.io': 'cloudnative-pg',
    'argoproj.io': 'argo-rollouts',
    'keda.sh': 'keda',
    'external-secrets.io': 'external-secrets',
    'cert-manager.io': 'cert-manager',
    'monitoring.coreos.com': 'kube-prometheus-stack',
    'kyverno.io': 'kyverno',
  };
  if (object.kind === 'Ingress') {
    return 'ingress-nginx';
  }
  return byGroup[group];
}

const ENDPOINT_LAYER = 'external endpoints';

/** The frame of the add-ons Argo CD syncs in one wave of the cluster's root application. */
export function addonLayer(wave: number): string {
  return `add-ons: Argo CD Applications of the cluster/wave ${wave}`;
}
const INGRESS_LAYER = 'ingress hosts';

/** `api-allow-egress-to-identity-provider-1` -> `identity-provider`: the name the renderer gives the address block it allows. */
function blockName(peer: OutsidePeer): string {
  const names = peer.policies.map((policy) => /-allow-egress-to-(.+?)(?:-\d+)?$/.exec(policy)?.[1]).filter((name): name is string => Boolean(name));
  return names.sort()[0] ?? peer.selector;
}

function hostOf(url: string | undefined): string | undefined {
  return url ? /^[a-z0-9]+:\/\/([^/:]+)/i.exec(url)?.[1] : undefined;
}

/** Hosts the rendered configuration names for an address block, so the picture says what the block is. */
function endpointHosts(environment: RenderedEnvironment): Record<string, string[]> {
  const hosts: Record<string, Set<string>> = {};
  const add = (name: string, host: string | undefined) => host && (hosts[name] ??= new Set()).add(host);
  for (const object of environment.objects) {
    for (const template of podTemplatesOf(object)) {
      for (const container of records(template.spec.containers)) {
        list(container.args).forEach((arg) => add('identity-provider', hostOf(/^--oidc-issuer-url=(.*)$/.exec(String(arg))?.[1])));
        records(container.env).filter((env) => text(env.name) === 'AUTH_ISSUER_URL').forEach((env) => add('identity-provider', hostOf(text(env.value))));
      }
    }
    const store = record(record(record(object.body.spec).backup).barmanObjectStore);
    if (object.kind === 'Cluster') {
      add('object-store', hostOf(text(store.endpointURL)));
      add('object-store', text(store.destinationPath));
    }
  }
  return Object.fromEntries(Object.entries(hosts).map(([name, set]) => [name, [...set].sort()]));
}

function portList(ports: readonly FlowPort[]): string {
  const ranges: string[] = [];
  const numbers = [...new Set(ports.map((port) => port.port))].sort((a, b) => a - b);
  for (let index = 0; index < numbers.length; index++) {
    let end = index;
    while (end + 1 < numbers.length && numbers[end + 1] === numbers[end] + 1) {
      end++;
    }
    const first = numbers[index] === 0 ? 'any port' : String(numbers[index]);
    ranges.push(end - index >= 2 ? `${first}-${numbers[end]}` : numbers.slice(index, end + 1).map(String).join(', '));
    index = end;
  }
  return ranges.join(', ');
}

/** ` (TCP+UDP)` when a port is not only TCP, the default nobody needs to read. */
function protocolsOf(ports: readonly FlowPort[]): string {
  const protocols = [...new Set(ports.map((port) => port.protocol))].sort();
  return protocols.length === 1 && protocols[0] === 'TCP' ? '' : ` (${protocols.join('+')})`;
}

function flowLabel(ports: readonly FlowPort[]): string {
  const tls = ports.filter((port) => port.tls);
  const plain = ports.filter((port) => !port.tls);
  return [tls.length > 0 ? `${portList(tls)} TLS` : '', plain.length > 0 ? `${portList(plain)}${protocolsOf(plain)} no TLS setting` : ''].filter(Boolean).join('; ');
}

/** A selector as a reader says it: the label values (`controller, ingress-nginx`), without keys. */
function selectorWords(selector: string): string {
  return selector.replace(/[\w./-]+ In \(([^)]*)\)/g, '$1').replace(/[\w./-]+=/g, '');
}

/** The picture's model: every node, every flow the policies allow, the routes in and the add-ons that manage each part. */
export function environmentGraph(environment: RenderedEnvironment): EnvironmentGraph {
  const podSets = podSetsOf(environment.objects, environment.clusterObjects);
  const { flows, outsidePeers, oneSided } = policyFlowsOf(environment.namespace, environment.objects, podSets);
  const tls = tlsEvidenceOf(environment.objects, podSets);
  const applications = environment.clusterObjects.filter((object) => object.kind === 'Application' && object.file.endsWith('/addons.yaml'));
  const addonOfNamespace = (namespace: string) =>
    applications.filter((application) => text(record(record(application.body.spec).destination).namespace) === namespace).sort((a, b) => syncWaveOf(a) - syncWaveOf(b) || a.name.localeCompare(b.name))[0];
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const namespaceLayer = (layer: string) => `${namespaceFrame(environment)}/${layer}`;
  const nodeOf: Record<string, string> = {};

  for (const podSet of podSets) {
    const store = podSet.kinds.some((kind) => ['Cluster', 'StatefulSet', 'RabbitmqCluster'].includes(kind));
    nodes.set(podSet.id, { id: podSet.id, label: `${podSet.id}\n${podSet.objects.join('\n')}`, layer: namespaceLayer(podSet.kinds.includes('ClusterIssuer') ? 'on demand: ACME HTTP-01 solver' : podSet.layer), shape: store ? 'cylinder' : 'box', tooltip: `pods of ${podSet.objects.join(', ')}` });
    nodeOf[podSet.id] = podSet.id;
  }
  nodes.set(EVERY_POD, { id: EVERY_POD, label: 'every pod\nof the namespace', layer: namespaceLayer('wave -1, the NetworkPolicies'), shape: 'note', tooltip: 'the pods a policy with podSelector: {} selects' });
  nodeOf[EVERY_POD] = EVERY_POD;
  const hosts = endpointHosts(environment);
  const peerLines = new Map<string, string[]>();
  for (const peer of outsidePeers) {
    if (peer.namespace) {
      const addon = addonOfNamespace(peer.namespace);
      const id = addon ? `addon:${addon.name}` : `ns:${peer.namespace}`;
      nodeOf[peer.id] = id;
      peerLines.set(id, [...(peerLines.get(id) ?? []), `pods ${selectorWords(peer.selector)} (namespace ${peer.namespace})`]);
      if (!addon) {
        nodes.set(id, { id, label: `${selectorWords(peer.selector)}\nnamespace ${peer.namespace}`, layer: 'cluster services', shape: 'component', tooltip: `pods ${peer.selector} in namespace ${peer.namespace}` });
      }
    } else {
      const name = blockName(peer);
      const id = `endpoint:${name}`;
      nodeOf[peer.id] = id;
      const blocks = outsidePeers.filter((other) => !other.namespace && blockName(other) === name).map((other) => other.selector);
      nodes.set(id, { id, label: [name, ...(hosts[name] ?? []), blocks.join(', ')].join('\n'), layer: ENDPOINT_LAYER, shape: 'ellipse', tooltip: `address blocks ${blocks.join(', ')} (${peer.policies.join(', ')})` });
    }
  }
  const byPair = new Map<string, FlowPort[]>();
  for (const flow of flows) {
    const peer = outsidePeers.find((candidate) => candidate.id === flow.to);
    const reason = tls.get(`${flow.to}:${flow.port}`) ?? (peer && !peer.namespace ? outsideTlsReason(flow.port, blockName(peer)) : undefined);
    const key = `${nodeOf[flow.from] ?? flow.from}\u0000${nodeOf[flow.to] ?? flow.to}`;
    byPair.set(key, [...(byPair.get(key) ?? []), { port: flow.port, protocol: flow.protocol, tls: reason, policies: flow.policies }]);
  }
  for (const [key, ports] of byPair) {
    const [from, to] = key.split('\u0000');
    const tooltip = `${from} -> ${to}: ${ports.map((port) => `${port.port || 'any'}/${port.protocol} ${port.tls ? `TLS (${port.tls})` : 'no TLS setting'} [${port.policies.join(', ')}]`).join('; ')}`;
    edges.push({ kind: 'flow', from, to, label: flowLabel(ports), ports, tooltip });
  }
  addRoutes(environment, nodes, edges, outsidePeers.find((peer) => peer.namespace === 'ingress-nginx'), nodeOf);
  addManagers(environment, podSets, applications, peerLines, nodes, edges);
  addEndpointsOfAddons(environment, nodes, edges);
  if (!edges.some((edge) => edge.from === EVERY_POD || edge.to === EVERY_POD)) {
    nodes.delete(EVERY_POD);
  }
  groupUnconnectedAddons(nodes, edges);
  return { environment: environment.name, namespace: environment.namespace, nodes: [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id)), edges, flows, oneSided, nodeOf };
}

/** The frame of the environment's namespace; its object waves are frames inside it (`<frame>/wave 2`). */
export function namespaceFrame(environment: RenderedEnvironment): string {
  return `namespace ${environment.namespace}, ${environment.syncedBy ?? `synced by Argo CD in wave ${environmentWave(environment)}`}`;
}

function environmentWave(environment: RenderedEnvironment): number {
  const application = environment.clusterObjects.find((object) => object.kind === 'Application' && text(record(record(object.body.spec).source).path) === `dist/${environment.name}`);
  return application ? syncWaveOf(application) : 0;
}

/** Ingress hosts -> the ingress controller, with the Ingresses, the services they route to and the sign-in proxy their auth-url names. */
function addRoutes(environment: RenderedEnvironment, nodes: Map<string, GraphNode>, edges: GraphEdge[], controller: OutsidePeer | undefined, nodeOf: Record<string, string>): void {
  const routes = new Map<string, string[]>();
  for (const ingress of environment.objects.filter((object) => object.kind === 'Ingress')) {
    const annotations = record(record(ingress.body.metadata).annotations);
    const auth = hostOf(text(annotations['nginx.ingress.kubernetes.io/auth-url']))?.split('.')[0];
    const tlsSecrets = records(record(ingress.body.spec).tls).map((entry) => text(entry.secretName));
    for (const rule of records(record(ingress.body.spec).rules)) {
      const host = text(rule.host) ?? '*';
      for (const path of records(record(rule.http).paths)) {
        const service = text(record(record(path.backend).service).name);
        const line = `${text(path.path) ?? '/'} -> ${service}${auth ? ` (sign-in: ${auth})` : ''}`;
        routes.set(host, [...(routes.get(host) ?? []), line]);
      }
      routes.set(`${host}\u0000tls`, [...(routes.get(`${host}\u0000tls`) ?? []), ...tlsSecrets.filter((secret): secret is string => Boolean(secret))]);
    }
  }
  for (const host of [...routes.keys()].filter((key) => !key.includes('\u0000')).sort()) {
    const id = `host:${host}`;
    const lines = [...new Set(routes.get(host))].sort();
    const certificates = [...new Set(routes.get(`${host}\u0000tls`))].sort();
    nodes.set(id, { id, label: `https://${host}\n${lines.join('\n')}`, layer: INGRESS_LAYER, shape: 'box', tooltip: `Ingress host ${host}, TLS certificate ${certificates.join(', ') || 'none'}` });
    if (controller) {
      edges.push({ kind: 'route', from: id, to: nodeOf[controller.id], label: certificates.length > 0 ? '443 TLS' : '80 no TLS', ports: [], tooltip: `${host}: TLS from ${certificates.join(', ') || 'no certificate'}` });
    }
  }
}

/** Add-ons that manage a part of the environment: an edge to each pod set whose objects they reconcile, the rest counted in their label. */
function addManagers(
  environment: RenderedEnvironment,
  podSets: readonly PodSet[],
  applications: readonly ManifestObject[],
  peerLines: ReadonlyMap<string, readonly string[]>,
  nodes: Map<string, GraphNode>,
  edges: GraphEdge[],
): void {
  const managed = new Map<string, ManifestObject[]>();
  for (const object of [...environment.objects, ...environment.clusterObjects.filter((candidate) => candidate.file.includes('/cluster-baseline/'))]) {
    const manager = managerOf(object);
    if (manager) {
      managed.set(manager, [...(managed.get(manager) ?? []), object]);
    }
  }
  for (const application of applications) {
    const objects = managed.get(application.name) ?? [];
    const kinds = [...new Set(objects.map((object) => object.kind))].sort();
    const id = `addon:${application.name}`;
    const source = record(record(application.body.spec).source);
    const counted = kinds.map((kind) => `${objects.filter((object) => object.kind === kind).length} ${kind}`);
    const lines = [`${application.name} ${text(source.targetRevision) ?? ''}`.trim(), ...(peerLines.get(id) ?? []), ...chunk(counted, 3)];
    nodes.set(id, { id, label: lines.join('\n'), layer: addonLayer(syncWaveOf(application)), shape: 'component', tooltip: `Argo CD Application ${application.name}, wave ${syncWaveOf(application)}` });
    const targets = new Set<string>();
    for (const object of objects) {
      const target = object.kind === 'ScaledObject' ? text(record(record(object.body.spec).scaleTargetRef).name) : object.name;
      const podSet = podSets.find((set) => set.objects.some((name) => name.endsWith(` ${target}`)) && set.objects.some((name) => name.startsWith(`${object.kind} `) || object.kind === 'ScaledObject'));
      if (podSet) {
        targets.add(podSet.id);
      }
      if (application.name === 'rabbitmq-messaging-topology-operator') {
        targets.add('rabbitmq');
      }
    }
    for (const target of [...targets].filter((candidate) => nodes.has(candidate)).sort()) {
      edges.push({ kind: 'manages', from: id, to: target, label: '', ports: [], tooltip: `${application.name} manages ${target}` });
    }
  }
}

/** Vault and the ACME server, reached by the add-ons (External Secrets, cert-manager) from their own namespaces, named by the cluster's stores and issuers. */
function addEndpointsOfAddons(environment: RenderedEnvironment, nodes: Map<string, GraphNode>, edges: GraphEdge[]): void {
  const uses: { addon: string; url: string; what: string }[] = [];
  for (const object of environment.clusterObjects) {
    const spec = record(object.body.spec);
    if (object.kind === 'ClusterSecretStore' && text(record(record(spec.provider).vault).server)) {
      uses.push({ addon: 'external-secrets', url: text(record(record(spec.provider).vault).server)!, what: `ClusterSecretStore ${object.name}` });
    }
    if (object.kind === 'ClusterIssuer' && text(record(spec.vault).server)) {
      uses.push({ addon: 'cert-manager', url: text(record(spec.vault).server)!, what: `ClusterIssuer ${object.name} (PKI)` });
    }
    if (object.kind === 'ClusterIssuer' && text(record(spec.acme).server)) {
      uses.push({ addon: 'cert-manager', url: text(record(spec.acme).server)!, what: `ClusterIssuer ${object.name} (ACME)` });
    }
  }
  for (const url of [...new Set(uses.map((use) => use.url))].sort()) {
    const id = `endpoint:${hostOf(url)}`;
    const users = uses.filter((use) => use.url === url);
    nodes.set(id, { id, label: `${url}\n${[...new Set(users.map((use) => use.what))].sort().join('\n')}`, layer: ENDPOINT_LAYER, shape: 'ellipse', tooltip: url });
    for (const addon of [...new Set(users.map((use) => use.addon))].sort()) {
      if (nodes.has(`addon:${addon}`)) {
        edges.push({ kind: 'manages', from: `addon:${addon}`, to: id, label: url.startsWith('https://') ? 'HTTPS' : '', ports: [], tooltip: `${addon} calls ${url} from its own namespace` });
      }
    }
  }
}

/** Add-ons with no edge (log pipeline, reloader, ...) are listed together, one node per wave, so the picture stays about flows. */
function groupUnconnectedAddons(nodes: Map<string, GraphNode>, edges: readonly GraphEdge[]): void {
  const connected = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  const idle = [...nodes.values()].filter((node) => node.id.startsWith('addon:') && !connected.has(node.id));
  for (const layer of [...new Set(idle.map((node) => node.layer))].sort()) {
    const members = idle.filter((node) => node.layer === layer).sort((a, b) => a.id.localeCompare(b.id));
    members.forEach((node) => nodes.delete(node.id));
    const id = `addons:${layer}`;
    nodes.set(id, { id, label: members.map((node) => node.label.replace(/\n/g, ': ')).join('\n'), layer, shape: 'note', tooltip: `add-ons of ${layer} with no flow to this environment` });
  }
}

function chunk(items: readonly string[], size: number): string[] {
  const lines: string[] = [];
  for (let index = 0; index < items.length; index += size) {
    lines.push(items.slice(index, index + size).join(', '));
  }
  return lines;
}
