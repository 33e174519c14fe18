import { INetworkPeer } from '../platform/network-peer';

/**
 * A workload that serves HTTPS on a traffic port behind its Service, with a server certificate from
 * a cert-manager issuer: what a client that sends it requests needs to know.
 */
export interface IHttpsService extends INetworkPeer {
  /** Name of the workload and of its Service. */
  readonly name: string;
  /** Port serving the traffic; undefined when it serves none (a worker). */
  readonly httpPort?: number;
  /** Secret of the server certificate; clients trust its `ca.crt` only. */
  readonly serverTlsSecretName: string;
  /** Lets `peer` reach the traffic port. */
  allowTrafficFrom(peer: INetworkPeer): void;
}
