/**
 * Architecture rules, checked by `npm test` (scripts/test.sh) with dependency-cruiser.
 *
 * Dependencies point one way: platform primitives (lib/platform) <- constructs (lib/*) <- the
 * environment description (lib/config) <- charts (charts/) <- the synth entry point (synth/,
 * main.ts). The checking tools (tools/), the command-line scripts (scripts/) and the tests sit
 * beside that line and may read all of it; nothing on the line reads them.
 * Type-only imports count: a cycle through `import type` is still a cycle in the design.
 */
const CONSTRUCTS = '^lib/(delivery|gitops|observability|security|services|stores|workloads)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: two modules that each need the other cannot be understood, tested or moved apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-not-to-outer-layers',
      comment: 'lib/ is the construct library: it never imports charts, the synth entry point, the checking tools, scripts or tests.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(charts|synth|tools|scripts|test)/|^main\\.ts$' },
    },
    {
      name: 'charts-only-compose',
      comment: 'Charts compose constructs from config; they never import the entry point, the tools, scripts or tests.',
      severity: 'error',
      from: { path: '^charts/' },
      to: { path: '^(synth|tools|scripts|test)/|^main\\.ts$' },
    },
    {
      name: 'synth-not-to-tools',
      comment: 'The synth entry point renders; checking is a separate tool that may run synth, not the other way round.',
      severity: 'error',
      from: { path: '^(synth/|main\\.ts$)' },
      to: { path: '^(tools|scripts|test)/' },
    },
    {
      name: 'constructs-not-to-config',
      comment: 'Constructs take flat props, never the environment description: the same construct serves every environment and every user.',
      severity: 'error',
      from: { path: CONSTRUCTS },
      to: { path: '^lib/config/' },
    },
    {
      name: 'platform-primitives-stand-alone',
      comment: 'lib/platform holds the primitives every construct builds on; it imports no construct and no config.',
      severity: 'error',
      from: { path: '^lib/platform/' },
      to: { path: '^lib/(?!platform/)' },
    },
    {
      name: 'environment-registry-only-from-entry-point',
      comment: 'Only the synth entry point (and tools and tests that run it) reads the list of environments; a construct or chart that did would render differently depending on which environments exist.',
      severity: 'error',
      from: { path: '^(lib|charts)/' },
      to: { path: '^lib/config/environments/index\\.ts$' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|imports)/' },
  },
};
