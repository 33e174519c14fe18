/**
 * Erlang distribution over TLS, as RabbitMQ's guide for the operator does it
 * (cluster-operator docs/examples/mtls-inter-node): the broker certificate's Secret and an options
 * file are mounted into the rabbitmq container, and `rabbitmq-env.conf` points the server and the
 * CLI tools at the options file.
 */

/** Where the broker certificate's Secret is mounted for Erlang distribution. */
export const DISTRIBUTION_TLS_DIR = '/etc/rabbitmq/distribution-tls';
/** Where the ConfigMap with the `ssl_dist_optfile` is mounted. */
export const DISTRIBUTION_CONFIG_DIR = '/etc/rabbitmq/distribution';
/** The key of the `ssl_dist_optfile` in its ConfigMap, and its file name under DISTRIBUTION_CONFIG_DIR. */
export const DISTRIBUTION_OPTFILE_KEY = 'inter_node_tls.config';

/**
 * The operator's `rabbitmq-env.conf`: Erlang distribution over TLS with the options file, for the
 * server and for the CLI tools (which must speak TLS to reach a node at all).
 */
export function distributionEnvConfig(): string {
  const args = `-proto_dist inet_tls -ssl_dist_optfile ${DISTRIBUTION_CONFIG_DIR}/${DISTRIBUTION_OPTFILE_KEY}`;
  return [`SERVER_ADDITIONAL_ERL_ARGS="${args}"`, `RABBITMQ_CTL_ERL_ARGS="${args}"`].join('\n') + '\n';
}

/**
 * The `ssl_dist_optfile` (Erlang terms): both ends present the broker certificate from `tlsDir`
 * and verify the other's against the internal CA. The accepting end requires a certificate
 * (`fail_if_no_peer_cert`, a server-only option); the dialing end also checks the host of the node
 * name it dials (Erlang sends it as server_name_indication), which the certificate lists.
 */
export function distributionOptions(tlsDir: string): string {
  const common = [
    `{cacertfile, "${tlsDir}/ca.crt"}`,
    `{certfile, "${tlsDir}/tls.crt"}`,
    `{keyfile, "${tlsDir}/tls.key"}`,
    '{secure_renegotiate, true}',
    '{verify, verify_peer}',
  ];
  const section = (role: string, options: string[]) => `  {${role}, [\n${options.map((option) => `    ${option}`).join(',\n')}\n  ]}`;
  return `[\n${section('server', [...common, '{fail_if_no_peer_cert, true}'])},\n${section('client', common)}\n].\n`;
}
