import { k8s } from 'cdk8s-plus-27';
import { INetworkPeer } from './network-peer';

/**
 * A workload that connects to a store (PostgreSQL, Redis, the job queue): the one interface every
 * store's `connect()`, `allowFrom()` and `grant*()` take, so a store never depends on the class of
 * its clients.
 */
export interface IStoreClient extends INetworkPeer {
  /** The client's name: database roles, broker users and Vault paths derive from it. */
  readonly name: string;
  /** Opens the client's egress to `peer` on `ports` (the namespace denies egress by default). */
  allowEgressTo(peer: INetworkPeer, ports: readonly number[]): void;
  /** Adds environment variables to the client's container. */
  addEnvironment(...variables: k8s.EnvVar[]): void;
  /** Mounts the `ca.crt` of `secretName` read-only into the client's container and returns its path. */
  trustCertificateAuthority(secretName: string): string;
}
