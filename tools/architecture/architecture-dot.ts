import { EdgeKind, EnvironmentGraph, GraphEdge } from './environment-graph';

/** A DOT string literal. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The id an edge has in the SVG (`<g id="...">`): a test finds every flow by it. */
export function edgeId(edge: Pick<GraphEdge, 'kind' | 'from' | 'to'>): string {
  return `${edge.kind}:${edge.from}->${edge.to}`;
}

const EDGE_STYLE: Record<EdgeKind, string> = {
  flow: 'penwidth=1.4',
  route: 'color="#1f5fbf", fontcolor="#1f5fbf", penwidth=2.2',
  manages: 'style=dashed, color="#8a8a8a", fontcolor="#6a6a6a", arrowhead=odot',
};

/** Order of the frames from left to right, so that the picture reads as a request travels. */
function layerRank(layer: string): number {
  if (layer.startsWith('ingress hosts')) {
    return 0;
  }
  if (layer.startsWith('add-ons')) {
    return 1 + Number(/wave (-?\d+)/.exec(layer)?.[1] ?? 0) / 100;
  }
  if (layer.startsWith('namespace')) {
    return 3;
  }
  return layer === 'external endpoints' ? 4 : 2;
}

const LEGEND = `legend [shape=plaintext, label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="4">
<tr><td colspan="2"><b>legend</b> (generated from dist/ by npm run architecture)</td></tr>
<tr><td><font color="#1a7f37">green arrow</font></td><td align="left">flow a NetworkPolicy allows, TLS on every port</td></tr>
<tr><td><font color="#c2410c">orange arrow</font></td><td align="left">flow a NetworkPolicy allows, a port that nothing rendered sets to TLS</td></tr>
<tr><td><font color="#1f5fbf">blue arrow</font></td><td align="left">Ingress host routed by the ingress controller</td></tr>
<tr><td><font color="#6a6a6a">grey dashed</font></td><td align="left">add-on that manages a part, or calls an endpoint</td></tr>
<tr><td>box: workload, cylinder: store</td><td align="left">frames: Argo CD sync waves (add-ons), object waves (namespace)</td></tr>
</table>>];`;

/**
 * The Graphviz source of one environment's picture. Everything is emitted in a sorted order and
 * nothing depends on time or randomness, so the same dist/ gives the same SVG byte for byte.
 */
export function architectureDot(graph: EnvironmentGraph): string {
  const lines: string[] = [
    `digraph ${quote(`architecture-${graph.environment}`)} {`,
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=16, labelloc=t, label=${quote(`${graph.environment}: every flow the NetworkPolicies of namespace ${graph.namespace} allow, with ports and TLS\n(drawn from dist/ by npm run architecture; hover an arrow for its policies and the setting that makes it TLS)`)}, nodesep=0.25, ranksep=1.1, compound=true];`,
    '  node [fontname="Helvetica", fontsize=11, style="rounded,filled", fillcolor="#ffffff", margin="0.12,0.06"];',
    '  edge [fontname="Helvetica", fontsize=10];',
    `  ${LEGEND}`,
  ];
  const layers = [...new Set(graph.nodes.map((node) => node.layer))].sort((a, b) => layerRank(a) - layerRank(b) || a.localeCompare(b, 'en', { numeric: true }));
  const frames = [...new Set(layers.map((layer) => layer.split('/')[0]))];
  frames.forEach((frame, index) => {
    const inner = layers.filter((layer) => layer.split('/')[0] === frame);
    const namespace = frame.startsWith('namespace');
    lines.push(`  subgraph ${quote(`cluster_${index}`)} {`);
    lines.push(`    label=${quote(frame)}; style="rounded,filled"; fillcolor=${quote(namespace ? '#eef4ff' : frame === 'external endpoints' ? '#fff7ed' : '#f6f6f6')}; color="#9a9a9a"; fontsize=13;`);
    inner.forEach((layer, innerIndex) => {
      const nested = layer.includes('/');
      if (nested) {
        lines.push(`    subgraph ${quote(`cluster_${index}_${innerIndex}`)} {`);
        const title = layer.split('/')[1];
      lines.push(`      label=${quote(namespace && (title.startsWith('wave') || title === 'PostSync') ? `object ${title}` : title)}; style="rounded,filled"; fillcolor="#ffffff"; color="#c0c8d8"; fontsize=11;`);
      }
      for (const node of graph.nodes.filter((candidate) => candidate.layer === layer)) {
        lines.push(`    ${nested ? '  ' : ''}${quote(node.id)} [label=${quote(node.label)}, shape=${node.shape}, tooltip=${quote(node.tooltip)}, id=${quote(`node:${node.id}`)}];`);
      }
      if (nested) {
        lines.push('    }');
      }
    });
    lines.push('  }');
  });
  for (const edge of [...graph.edges].sort((a, b) => edgeId(a).localeCompare(edgeId(b)))) {
    const color = edge.kind === 'flow' ? `color=${edge.ports.every((port) => port.tls) ? '"#1a7f37"' : '"#c2410c"'}, fontcolor=${edge.ports.every((port) => port.tls) ? '"#1a7f37"' : '"#c2410c"'}, ` : '';
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [${color}${EDGE_STYLE[edge.kind]}, label=${quote(edge.label)}, tooltip=${quote(edge.tooltip)}, id=${quote(edgeId(edge))}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
