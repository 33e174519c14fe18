import { ARGOCD_MODULE, argocdThrowawayGoMod, goModReplaces } from '../../../tools/argocd/argocd-binary';

/**
 * The shape of argo-cd v2.10.18's go.mod (its replace block, abridged: comments between entries,
 * forks, the k8s.io libraries pinned to v0.26.11), plus the single-line and versioned forms Go allows.
 */
const ARGOCD_GO_MOD = `module github.com/argoproj/argo-cd/v2

go 1.21

require (
\tgithub.com/argoproj/gitops-engine v0.7.1-0.20240715141017-b6ec82aedce5
\tk8s.io/api v0.26.11
)

replace (
\t// https://github.com/golang/go/issues/33546#issuecomment-519656923
\tgithub.com/go-check/check => github.com/go-check/check v0.0.0-20180628173108-788fd7840127

\tgithub.com/golang/protobuf => github.com/golang/protobuf v1.5.4
\t// Avoid  CVE-2023-46402
\tgithub.com/whilp/git-urls => github.com/chainguard-dev/git-urls v1.0.2 // a fork
\tk8s.io/api => k8s.io/api v0.26.11
\tk8s.io/client-go => k8s.io/client-go v0.26.11

)

replace example.com/pinned v1.0.0 => example.com/pinned v1.0.1
`;

describe('the throwaway module that builds Argo CD from the Go module proxy (tools/argocd/argocd-binary.ts)', () => {
  test('reads every replace of the go.mod, block and single-line, versioned on the left or not, comments left out', () => {
    expect(goModReplaces(ARGOCD_GO_MOD)).toEqual([
      { module: 'github.com/go-check/check', moduleVersion: undefined, target: 'github.com/go-check/check', version: 'v0.0.0-20180628173108-788fd7840127' },
      { module: 'github.com/golang/protobuf', moduleVersion: undefined, target: 'github.com/golang/protobuf', version: 'v1.5.4' },
      { module: 'github.com/whilp/git-urls', moduleVersion: undefined, target: 'github.com/chainguard-dev/git-urls', version: 'v1.0.2' },
      { module: 'k8s.io/api', moduleVersion: undefined, target: 'k8s.io/api', version: 'v0.26.11' },
      { module: 'k8s.io/client-go', moduleVersion: undefined, target: 'k8s.io/client-go', version: 'v0.26.11' },
      { module: 'example.com/pinned', moduleVersion: 'v1.0.0', target: 'example.com/pinned', version: 'v1.0.1' },
    ]);
  });

  test("its replaces are exactly argo-cd's, and it requires argo-cd at the version and keeps ./cmd through go mod tidy", () => {
    const goMod = argocdThrowawayGoMod(ARGOCD_GO_MOD, 'v2.10.18');
    expect(goModReplaces(goMod)).toEqual(goModReplaces(ARGOCD_GO_MOD));
    expect(goMod).toContain(`require ${ARGOCD_MODULE} v2.10.18\n`);
    expect(goMod).toContain(`tool (\n\t${ARGOCD_MODULE}/cmd\n)`);
    expect(goMod).toMatch(/^go 1\.24$/m);
    expect(goMod).not.toContain('CVE');
  });

  test('refuses a go.mod whose replaces cannot be built outside its repository, or that has none', () => {
    expect(() => argocdThrowawayGoMod(`${ARGOCD_GO_MOD}\nreplace github.com/argoproj/gitops-engine => ../gitops-engine\n`, 'v2.99.0')).toThrow(
      /replaces github.com\/argoproj\/gitops-engine with the folder \.\.\/gitops-engine/,
    );
    expect(() => argocdThrowawayGoMod('module github.com/argoproj/argo-cd/v2\n\ngo 1.22\n', 'v2.99.0')).toThrow(/replaces no module/);
  });
});
