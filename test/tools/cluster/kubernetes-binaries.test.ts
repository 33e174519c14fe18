import { CONTROL_PLANE_COMMANDS, stagingModules, throwawayGoMod } from '../../../tools/cluster/kubernetes-binaries';

/** The shape of k8s.io/kubernetes' go.mod: staging modules required as v0.0.0 and replaced by folders, other replaces too. */
const KUBERNETES_GO_MOD = `module k8s.io/kubernetes

go 1.20

require (
\tgithub.com/spf13/cobra v1.6.0
\tk8s.io/api v0.0.0
\tk8s.io/client-go v0.0.0
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go
\tgithub.com/example/forked => github.com/example/fork v1.2.3
)

replace k8s.io/kubectl => ./staging/src/k8s.io/kubectl
`;

describe('the throwaway module that builds the control plane from the Go module proxy (tools/cluster/kubernetes-binaries.ts)', () => {
  test('finds every staging module k8s.io/kubernetes replaces with a folder, in block and single-line form, and nothing else', () => {
    expect(stagingModules(KUBERNETES_GO_MOD)).toEqual(['k8s.io/api', 'k8s.io/client-go', 'k8s.io/kubectl']);
  });

  test('maps each to its published v0.<minor>.<patch> and keeps the commands through go mod tidy (tool directives)', () => {
    const goMod = throwawayGoMod(KUBERNETES_GO_MOD, 'v1.27.16');
    expect(goMod).toContain('require k8s.io/kubernetes v1.27.16\n');
    expect(goMod).toContain('\tk8s.io/api => k8s.io/api v0.27.16\n\tk8s.io/client-go => k8s.io/client-go v0.27.16\n\tk8s.io/kubectl => k8s.io/kubectl v0.27.16\n');
    expect(goMod).not.toContain('example');
    expect(goMod).toMatch(/^go 1\.24$/m);
    for (const command of CONTROL_PLANE_COMMANDS) {
      expect(goMod).toContain(`\tk8s.io/kubernetes/cmd/${command}\n`);
    }
  });

  test('refuses a go.mod without staging replaces: the recipe no longer fits that version', () => {
    expect(() => throwawayGoMod('module k8s.io/kubernetes\n\ngo 1.22\n', 'v1.31.0')).toThrow(/replaces no module with \.\/staging\/src/);
  });
});
