import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PUBLIC_PATHS_ANNOTATION } from '../platform/labels';
import { ISignInProxy } from '../workloads/sign-in-proxy';

export interface SignInOptions {
  /**
   * Paths that bypass sign-in, published by an Ingress of their own: a path ending in `/` as a
   * prefix (`/webhooks/`), any other exactly (`/healthz`).
   * @default - none: every path needs a session
   */
  readonly publicPaths?: readonly string[];
  /**
   * Why the public paths may skip sign-in; the value of `security.generator-platform.dev/public-paths`.
   * @default 'health checks and webhooks, which authenticate their callers themselves'
   */
  readonly publicPathsReason?: string;
}

export interface SignInIngressesProps extends SignInOptions {
  /** The service's name; the extra Ingresses are `<name>-sign-in` and `<name>-public`. */
  readonly serviceName: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The service's Ingress (exposeViaIngress()), put behind the proxy. */
  readonly ingress: k8s.KubeIngress;
  /** The proxy that decides every request. */
  readonly proxy: ISignInProxy;
  /** ingress-nginx annotations for the service as an HTTPS backend; the public Ingress needs them. */
  readonly backendTlsAnnotations: Readonly<Record<string, string>>;
}

/**
 * Puts a service's Ingress behind a sign-in proxy (ingress-nginx external authentication: a
 * subrequest to the proxy decides every request), publishes the proxy's sign-in endpoints on the
 * same host, and the public paths, and only those, without sign-in. The extra Ingresses share the
 * host's TLS Secret and per-client limits.
 */
export class SignInIngresses extends Construct {
  /** The Ingress of the public paths, which routes to the service: a canary shifts its traffic too. */
  public readonly publicIngressName?: string;

  public constructor(scope: Construct, id: string, props: SignInIngressesProps) {
    const { proxy, serviceName } = props;
    const publicPaths = props.publicPaths ?? [];
    for (const path of publicPaths) {
      if (!/^\/[A-Za-z0-9._~/-]*$/.test(path) || path === '/' || path.startsWith(proxy.pathPrefix)) {
        throw new Error(`${serviceName}: public path ${JSON.stringify(path)} is not a path below / outside ${proxy.pathPrefix}; list only health and webhook paths such as /healthz or /webhooks/`);
      }
    }
    super(scope, id);
    const published = props.ingress.toJson() as { metadata: { annotations: Record<string, string> }; spec: k8s.IngressSpec };
    const rule = published.spec.rules![0];
    const host = rule.host!;
    const backend = rule.http!.paths[0].backend;
    // Copied before the authentication annotations are added: the same limits, nothing else. The
    // backend TLS settings name this service's certificate, so only Ingresses to this service get them.
    const backendTls = props.backendTlsAnnotations;
    const limits = Object.fromEntries(Object.entries(published.metadata.annotations).filter(([key]) => !(key in backendTls)));
    const sibling = (constructId: string, name: string, reason: string, paths: k8s.HttpIngressPath[], annotations: Record<string, string> = {}) =>
      new k8s.KubeIngress(this, constructId, {
        metadata: {
          name,
          namespace: props.namespace,
          labels: { ...props.labels },
          annotations: { ...annotations, ...limits, [PUBLIC_PATHS_ANNOTATION]: reason },
        },
        spec: { ingressClassName: published.spec.ingressClassName, tls: published.spec.tls, rules: [{ host, http: { paths } }] },
      });

    // A canary Ingress (Argo Rollouts') inherits every non-canary annotation from this one in
    // ingress-nginx, so canary traffic signs in too; keep the name, it is the Rollout's (first) stable Ingress.
    props.ingress.metadata.addAnnotation('nginx.ingress.kubernetes.io/auth-url', proxy.authUrl);
    props.ingress.metadata.addAnnotation('nginx.ingress.kubernetes.io/auth-signin', `https://$host${proxy.pathPrefix}/start?rd=$escaped_request_uri`);
    props.ingress.metadata.addAnnotation('nginx.ingress.kubernetes.io/auth-response-headers', proxy.responseHeaders.join(','));
    sibling('SignInIngress', `${serviceName}-sign-in`, `${proxy.name} sign-in, callback and sign-out endpoints`, [
      { path: proxy.pathPrefix, pathType: 'Prefix', backend: proxy.ingressBackend() },
    ], { ...proxy.backendTlsAnnotations });
    if (publicPaths.length > 0) {
      const publicIngress = sibling('PublicIngress', `${serviceName}-public`, props.publicPathsReason ?? 'health checks and webhooks, which authenticate their callers themselves',
        publicPaths.map((path) => ({ path, pathType: path.endsWith('/') ? 'Prefix' : 'Exact', backend })), { ...backendTls });
      this.publicIngressName = publicIngress.name;
    }
  }
}
