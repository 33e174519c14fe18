import * as path from 'path';
import { architectureDot } from '../../../tools/architecture/architecture-dot';
import { environmentGraph, EnvironmentGraph } from '../../../tools/architecture/environment-graph';
import { loadAllEnvironments } from '../../../tools/architecture/architecture-files';
import { RenderedEnvironment } from '../../../tools/architecture/rendered-environment';
import { renderSvg } from '../../../tools/architecture/render-svg';
import { list, record, records } from '../../../tools/validation/json-access';
import { svgEdges, tooltipPorts } from './svg-edges';

const DIST = path.join(__dirname, '..', '..', '..', 'dist');

let loaded: RenderedEnvironment[] | undefined;

/** An environment as the pictures draw it (the preview: pull request 42 built by kustomize with the ApplicationSets' settings). */
const environmentNamed = (name: string): RenderedEnvironment => {
  loaded ??= loadAllEnvironments(DIST);
  const found = loaded.find((environment) => environment.name === name);
  if (!found) {
    throw new Error(`dist/ has no ${name} environment`);
  }
  return found;
};
const production = (): RenderedEnvironment => environmentNamed('production');

/** The drawn flows: `<from node>-><to node> <port>/<protocol>` -> TLS and policies, read back from the SVG. */
async function drawnFlows(environment: RenderedEnvironment): Promise<{ graph: EnvironmentGraph; drawn: Map<string, { tls: boolean; policies: string[] }> }> {
  const graph = environmentGraph(environment);
  const svg = await renderSvg(architectureDot(graph));
  const drawn = new Map<string, { tls: boolean; policies: string[] }>();
  for (const edge of svgEdges(svg).filter((candidate) => candidate.id.startsWith('flow:'))) {
    for (const [port, value] of tooltipPorts(edge.tooltip)) {
      drawn.set(`${edge.id.slice('flow:'.length)} ${port}`, value);
    }
  }
  return { graph, drawn };
}

/** Every (policy, port) a NetworkPolicy rule names: each must be on a drawn flow whose tooltip cites that policy. */
function rulePorts(environment: RenderedEnvironment): { policy: string; port: string }[] {
  return environment.objects
    .filter((object) => object.kind === 'NetworkPolicy')
    .flatMap((policy) =>
      [...records(record(policy.body.spec).ingress), ...records(record(policy.body.spec).egress)].flatMap((rule) =>
        (list(rule.ports).length === 0 ? [{ port: 'any', protocol: 'any' }] : records(rule.ports)).map((port) => ({ policy: policy.name, port: `${port.port}/${port.protocol ?? 'TCP'}` })),
      ),
    );
}

const drawnOf: Record<string, Awaited<ReturnType<typeof drawnFlows>>> = {};

describe.each([
  ['production', 60],
  ['preview', 50],
])('the picture of %s shows every flow its NetworkPolicies allow', (name, minimumRulePorts) => {
  beforeAll(async () => {
    drawnOf[name] ??= await drawnFlows(environmentNamed(name));
  });

  test('every port of every rule of every NetworkPolicy is on a drawn edge that cites the policy', async () => {
    const environment = environmentNamed(name);
    const { drawn } = drawnOf[name];
    const cited = [...drawn.entries()].flatMap(([key, value]) => value.policies.map((policy) => `${policy} ${key.split(' ')[1]}`));
    const missing = rulePorts(environment).filter(({ policy, port }) => !cited.includes(`${policy} ${port}`));
    expect(missing).toEqual([]);
    expect(rulePorts(environment).length).toBeGreaterThan(minimumRulePorts);
  });

  test('no edge is drawn that no policy allows: each drawn port is a flow of the policies, and the drawing has exactly those', async () => {
    const { graph, drawn } = drawnOf[name];
    const allowed = new Set(graph.flows.map((flow) => `${graph.nodeOf[flow.from]}->${graph.nodeOf[flow.to]} ${flow.port || 'any'}/${flow.protocol}`));
    expect([...drawn.keys()].sort()).toEqual([...allowed].sort());
    const policyNames = new Set(environmentNamed(name).objects.filter((object) => object.kind === 'NetworkPolicy').map((object) => object.name));
    for (const [key, { policies }] of drawn) {
      expect({ key, unknown: policies.filter((policy) => !policyNames.has(policy)) }).toEqual({ key, unknown: [] });
      expect({ key, policies: policies.length }).not.toEqual({ key, policies: 0 });
    }
    expect(graph.oneSided).toEqual([]);
  });
});

describe('the picture of production: key flows', () => {
  let drawnProduction: Awaited<ReturnType<typeof drawnFlows>>;
  beforeAll(async () => {
    drawnProduction = drawnOf.production ?? (await drawnFlows(production()));
  });

  test.each([
    ['addon:ingress-nginx->web 3000/TCP', true],
    ['addon:ingress-nginx->oauth2-proxy 4180/TCP', true],
    ['addon:ingress-nginx->api 8080/TCP', true],
    ['web->api 8080/TCP', true],
    ['api->postgres-pooler 5432/TCP', true],
    ['postgres-pooler->postgres 5432/TCP', true],
    ['api->redis 6379/TCP', true],
    ['oauth2-proxy->redis 6379/TCP', true],
    ['api->rabbitmq 5671/TCP', true],
    ['generator->rabbitmq 5671/TCP', true],
    ['addon:keda->rabbitmq 5671/TCP', true],
    ['generator->endpoint:ai-provider 443/TCP', true],
    ['oauth2-proxy->endpoint:identity-provider 443/TCP', true],
    ['postgres->endpoint:object-store 443/TCP', true],
    ['redis->redis 16379/TCP', true],
    ['rabbitmq->rabbitmq 25672/TCP', true],
    ['rabbitmq->rabbitmq 4369/TCP', false],
    ['every-pod->ns:kube-system 53/UDP', false],
  ])('production draws %s (TLS: %s)', (key, tls) => {
    expect(drawnProduction.drawn.get(key)?.tls).toBe(tls);
  });
});

describe('the picture of a preview: pull request 42 as the two ApplicationSets make it', () => {
  let drawnPreview: Awaited<ReturnType<typeof drawnFlows>>;
  beforeAll(async () => {
    drawnPreview = drawnOf.preview ?? (await drawnFlows(environmentNamed('preview')));
  });

  test('is the namespace of pull request 42, with the base policies of the namespace Application and the hosts the patches give it', () => {
    const { graph } = drawnPreview;
    const preview = environmentNamed('preview');
    expect(graph.namespace).toBe('generator-platform-pr-42');
    expect([...new Set(preview.objects.map((object) => object.namespace).filter(Boolean))]).toEqual(['generator-platform-pr-42']);
    // default-deny-all and allow-dns-egress come from preview-42-namespace (dist/argocd/development/preview-namespace), the rest from preview-42 (dist/preview).
    expect(preview.objects.filter((object) => object.kind === 'NetworkPolicy' && object.file === 'preview/preview-42-namespace.yaml').map((object) => object.name).sort()).toEqual(['allow-dns-egress', 'default-deny-all']);
    expect(graph.nodes.map((node) => node.id).filter((id) => id.startsWith('host:'))).toEqual(['host:api-pr-42.preview.generator-platform.example.com', 'host:app-pr-42.preview.generator-platform.example.com']);
    expect(graph.nodes.find((node) => node.id === 'endpoint:object-store')?.label).toContain('s3://acme-generator-platform-backups/preview/pr-42');
    // The base namespace of dist/preview is nowhere (the ApplicationSets' names, generator-platform-previews and -preview-namespaces, are).
    const base = /generator-platform-preview(?![s-])/;
    expect(graph.nodes.filter((node) => base.test(node.label) || base.test(node.layer) || base.test(node.tooltip)).map((node) => node.id)).toEqual([]);
    expect(graph.edges.filter((edge) => base.test(edge.tooltip)).map((edge) => edge.tooltip)).toEqual([]);
  });

  test.each([
    ['addon:ingress-nginx->web 3000/TCP', true],
    ['addon:ingress-nginx->oauth2-proxy 4180/TCP', true],
    ['web->api 8080/TCP', true],
    ['api->postgres-pooler 5432/TCP', true],
    ['api->redis 6379/TCP', true],
    ['generator->rabbitmq 5671/TCP', true],
    ['generator->endpoint:ai-provider 443/TCP', true],
    ['postgres->endpoint:object-store 443/TCP', true],
    ['redis-bootstrap->redis 6379/TCP', true],
    ['addon:kube-prometheus-stack->postgres 9187/TCP', false],
    ['every-pod->ns:kube-system 53/UDP', false],
  ])('preview draws %s (TLS: %s)', (key, tls) => {
    expect(drawnPreview.drawn.get(key)?.tls).toBe(tls);
  });
});

describe('fails when a policy rule goes', () => {
  const without = (environment: RenderedEnvironment, policyName: string): RenderedEnvironment => ({
    ...environment,
    objects: environment.objects.filter((object) => !(object.kind === 'NetworkPolicy' && object.name === policyName)),
  });

  test('fails: without redis-allow-from-api, the edge api -> redis disappears and the egress rule is reported one-sided', async () => {
    const before = await drawnFlows(production());
    expect(before.drawn.has('api->redis 6379/TCP')).toBe(true);
    const after = await drawnFlows(without(production(), 'redis-allow-from-api'));
    expect(after.drawn.has('api->redis 6379/TCP')).toBe(false);
    expect([...after.drawn.keys()].filter((key) => !before.drawn.has(key))).toEqual([]);
    expect([...before.drawn.keys()].filter((key) => !after.drawn.has(key))).toEqual(['api->redis 6379/TCP']);
    expect(after.graph.oneSided.map((rule) => [rule.direction, rule.flow.from, rule.flow.to, rule.flow.port])).toEqual([['Egress', 'api', 'redis', 6379]]);
  });

  test('fails: a preview drawn from dist/preview alone (without the namespace Application preview-42-namespace) has no DNS flow', async () => {
    const preview = environmentNamed('preview');
    const after = await drawnFlows({ ...preview, objects: preview.objects.filter((object) => object.file !== 'preview/preview-42-namespace.yaml') });
    expect(drawnOf.preview?.drawn.has('every-pod->ns:kube-system 53/UDP') ?? true).toBe(true);
    expect([...after.drawn.keys()].filter((key) => key.includes('kube-system'))).toEqual([]);
  });

  test('fails: without generator-allow-egress-to-ai-provider-1, the generator has no edge to the AI provider and the node is gone', async () => {
    const after = await drawnFlows(without(production(), 'generator-allow-egress-to-ai-provider-1'));
    expect([...after.drawn.keys()].filter((key) => key.includes('ai-provider'))).toEqual([]);
    expect(after.graph.nodes.map((node) => node.id)).not.toContain('endpoint:ai-provider');
  });
});
