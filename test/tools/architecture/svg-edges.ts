/** One edge of a Graphviz SVG: its id (`flow:api->redis`), its tooltip and its visible label. */
export interface SvgEdge {
  readonly id: string;
  readonly tooltip: string;
  readonly label: string;
}

function decode(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Every `<g class="edge">` of the SVG, as a browser's DOM would show it. */
export function svgEdges(svg: string): SvgEdge[] {
  return [...svg.matchAll(/<g id="([^"]+)" class="edge">([\s\S]*?)\n<\/g>\n/g)].map(([, id, body]) => ({
    id: decode(id),
    tooltip: decode(/xlink:title="([^"]*)"/.exec(body)?.[1] ?? ''),
    label: [...body.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, text]) => decode(text)).join(' '),
  }));
}

/** The ports a flow edge's tooltip lists: `5432/TCP` -> the policies and whether it is TLS. */
export function tooltipPorts(tooltip: string): Map<string, { tls: boolean; policies: string[] }> {
  const list = tooltip.slice(tooltip.indexOf(': ') + 2);
  return new Map(
    list.split('; ').map((entry) => {
      const [, port, tls, policies] = /^(\S+) (TLS \(.*\)|no TLS setting) \[(.*)\]$/.exec(entry) ?? [];
      return [port, { tls: tls?.startsWith('TLS') ?? false, policies: policies?.split(', ') ?? [] }];
    }),
  );
}
