import { NODE_USER } from './redis-constants';

/**
 * Reloads a node's TLS certificate when cert-manager renews it. The renewal writes a new key pair
 * into the mounted Secret, which the kubelet swaps in atomically, but Redis 7.0 reads the files
 * only at start and on `CONFIG SET tls-*` (which reloads them even when the path is unchanged). So
 * the loop compares a checksum of the three files every `REDIS_TLS_RELOAD_SECONDS` and, when it
 * changed, sets the same paths again; a failed reload (e.g. files caught mid-change) is logged and
 * retried on the next round, never fatal. The start script runs it in the background beside
 * redis-server rather than as a sidecar, which would need its own resources and probes and could
 * restart apart from the server.
 *
 * A renewal under the same CA is seamless. A new CA is not: until every node and client has
 * reloaded, the ones that already trust the new CA reject the others' old certificates.
 *
 * Usage: `reload-tls.sh checksum` prints the checksum of the files; `reload-tls.sh watch <checksum>
 * <pid>` runs the loop, starting from the checksum of the files redis-server loaded, until the
 * process `pid` (redis-server) is gone: in a pod the container ends with it anyway, elsewhere (the
 * tests) the loop must not outlive it.
 *
 * Environment: `REDIS_TLS_CERT_FILE`, `REDIS_TLS_KEY_FILE`, `REDIS_TLS_CA_FILE` (the files redis.conf
 * names), `REDIS_PORT` (the TLS port), `REDIS_NODE_AUTH_FILE` (the password of the node's own
 * user, which redis-cli reads from `REDISCLI_AUTH`), `REDIS_RELOAD_SECONDS` (default 30).
 */
export const REDIS_TLS_RELOAD_SCRIPT = `#!/bin/sh
set -u
: "\${REDIS_TLS_CERT_FILE:?set the certificate file}" "\${REDIS_TLS_KEY_FILE:?set the key file}" "\${REDIS_TLS_CA_FILE:?set the CA file}"

checksum() {
  cat "$REDIS_TLS_CERT_FILE" "$REDIS_TLS_KEY_FILE" "$REDIS_TLS_CA_FILE" 2>/dev/null | cksum
}

case "\${1:-}" in
  checksum)
    checksum
    ;;
  watch)
    : "\${REDIS_PORT:?set the TLS port}"
    loaded="\${2:?give the checksum of the loaded files}"
    server_pid="\${3:?give the pid of redis-server}"
    while sleep "\${REDIS_RELOAD_SECONDS:-30}" && kill -0 "$server_pid" 2>/dev/null; do
      current="$(checksum)"
      [ "$current" = "$loaded" ] && continue
      reply="$(REDISCLI_AUTH="$(cat "\${REDIS_NODE_AUTH_FILE:?set the file of the node user's password}")" \\
        redis-cli --tls --cacert "$REDIS_TLS_CA_FILE" --user ${NODE_USER} -h 127.0.0.1 -p "$REDIS_PORT" \\
        config set tls-cert-file "$REDIS_TLS_CERT_FILE" tls-key-file "$REDIS_TLS_KEY_FILE" tls-ca-cert-file "$REDIS_TLS_CA_FILE" 2>&1)"
      if [ "$reply" = "OK" ]; then
        loaded="$current"
        echo "reload-tls: reloaded the TLS certificate (checksum $current)"
      else
        echo "reload-tls: reloading the TLS certificate failed, retrying in \${REDIS_RELOAD_SECONDS:-30}s: $reply" >&2
      fi
    done
    ;;
  *)
    echo "usage: $0 checksum | watch <checksum> <redis-server pid>" >&2
    exit 2
    ;;
esac
`;
