import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ClusterIssuer } from '../../imports/cert-manager.io';
import { DNS_LABEL } from '../platform/input-patterns';
import { PLATFORM_NAME } from '../platform/labels';
import { singleContainerFootprint } from '../platform/workload-footprint';
import { NamespaceBaseline } from '../platform/namespace-baseline';
import { INetworkPeer, tcpPorts } from '../platform/network-peer';
import { ICertificateIssuer } from './tls-certificate';

/** Label cert-manager puts on every HTTP-01 solver pod it starts. */
export const HTTP01_SOLVER_POD_LABEL = 'acme.cert-manager.io/http01-solver';
/** Port the solver (`acmesolver --listen-port`) serves the challenge token on. */
export const HTTP01_SOLVER_PORT = 8089;

/**
 * cert-manager's default solver container (controller flags `--acme-http01-solver-resource-*`):
 * requests 10m / 64Mi, limits 100m / 64Mi, no ephemeral-storage, so the namespace's LimitRange
 * default (1Gi) applies. The quota counts the limits, since it holds requests equal to limits.
 */
const SOLVER_POD = { cpuMillis: 100, memoryMi: 64, ephemeralStorageGi: 1 } as const;

export interface AcmeClusterIssuerProps {
  /** ACME directory URL, e.g. `https://acme-v02.api.letsencrypt.org/directory`. */
  readonly server: string;
  /** Account e-mail the CA sends expiry and policy notices to. */
  readonly email: string;
  /** The namespace whose Certificates use this issuer: its HTTP-01 solver pods run there. */
  readonly solverNamespace: NamespaceBaseline;
  /** How many challenges can be pending in solverNamespace at once (one solver pod each): the hostnames its Certificates name. */
  readonly maxConcurrentChallenges: number;
  /** The ingress controller's pods, the only ones allowed to reach the solver pods. */
  readonly ingressController: INetworkPeer;
  /**
   * IngressClass of the Ingress cert-manager creates for each challenge.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * Secret (in cert-manager's cluster resource namespace) that holds the ACME account's private key; cert-manager creates it.
   * @default '<construct id>-account-key'
   */
  readonly accountKeySecretName?: string;
}

/**
 * An ACME ClusterIssuer (Let's Encrypt) that proves control of each hostname with an HTTP-01
 * challenge answered through ingress-nginx. Cluster-scoped, so only the environment that owns the
 * cluster renders it; the construct id is the ClusterIssuer's name. The solver pods run in
 * `solverNamespace`, which denies all traffic by default: a NetworkPolicy admits the ingress
 * controller to them on the solver port, and nothing else.
 */
export class AcmeClusterIssuer extends Construct implements ICertificateIssuer {
  public readonly issuerName: string;
  public readonly issuerKind = 'ClusterIssuer' as const;

  public constructor(scope: Construct, id: string, props: AcmeClusterIssuerProps) {
    super(scope, id);
    const fail = (field: string, value: unknown, fix: string): never => {
      throw new Error(`AcmeClusterIssuer ${id}: ${field} is ${JSON.stringify(value)}; ${fix}`);
    };
    if (!DNS_LABEL.test(id)) {
      fail('the construct id (the ClusterIssuer name)', id, 'use a DNS label such as letsencrypt-production');
    }
    if (!/^https:\/\/[a-z0-9.-]+(:\d+)?(\/[-a-zA-Z0-9._~/]*)?$/.test(props.server)) {
      fail('server', props.server, 'use the https:// URL of the ACME directory, e.g. https://acme-v02.api.letsencrypt.org/directory');
    }
    if (!/^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,63}$/.test(props.email)) {
      fail('email', props.email, 'use a mailbox the team reads, e.g. platform-team@example.com: the CA sends expiry notices there');
    }
    if (!Number.isInteger(props.maxConcurrentChallenges) || props.maxConcurrentChallenges < 1 || props.maxConcurrentChallenges > 100) {
      fail('maxConcurrentChallenges', props.maxConcurrentChallenges, 'use the number of hostnames the Certificates in the namespace name, from 1 to 100');
    }
    const accountKeySecretName = props.accountKeySecretName ?? `${id}-account-key`;
    if (!DNS_LABEL.test(accountKeySecretName)) {
      fail('accountKeySecretName', accountKeySecretName, 'use a DNS label such as letsencrypt-production-account-key');
    }
    this.issuerName = id;
    const labels = { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' };

    new ClusterIssuer(this, 'Resource', {
      metadata: { name: id, labels },
      spec: {
        acme: {
          server: props.server,
          email: props.email,
          privateKeySecretRef: { name: accountKeySecretName },
          // ClusterIP, not cert-manager's default NodePort: the namespace quota allows no node ports,
          // and ingress-nginx reaches the solver through its endpoints anyway.
          solvers: [{ http01: { ingress: { ingressClassName: props.ingressClassName ?? 'nginx', serviceType: 'ClusterIP' } } }],
        },
      },
    });

    const namespace = props.solverNamespace.namespaceName;
    new k8s.KubeNetworkPolicy(this, 'AllowHttp01Solver', {
      metadata: { name: `${id}-allow-http01-solver`, namespace, labels },
      spec: {
        podSelector: { matchLabels: { [HTTP01_SOLVER_POD_LABEL]: 'true' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [props.ingressController.toNetworkPolicyPeer(namespace)], ports: tcpPorts(HTTP01_SOLVER_PORT) }],
      },
    });

    // The solver pods count into the namespace's ResourceQuota like any workload, so a challenge
    // never waits for quota while the services run at their maximum. They fit the LimitRange: 100m
    // and 64Mi are below its maximum (the largest container's size, at least 100m / 128Mi).
    props.solverNamespace.addWorkload({
      footprint: singleContainerFootprint({ maxPods: props.maxConcurrentChallenges, cpuMillis: SOLVER_POD.cpuMillis, memoryMi: SOLVER_POD.memoryMi, ephemeralStorageGi: SOLVER_POD.ephemeralStorageGi }),
    });
  }
}
