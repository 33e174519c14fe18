import { NODE_USER } from './redis-constants';

/**
 * The health checks of a cluster node, one script for the three probes so that they share one
 * definition of "answering". `redis-cli` exits 0 even on an error reply, so the reply is compared.
 *
 * - `started`: the node has loaded its append-only file and answers PONG.
 * - `alive`: the process serves commands; LOADING counts, since a replica loads its primary's
 *   dataset after a full sync and a restart then would only start the sync over.
 * - `ready`: loaded, and a replica's link to its primary is up, so a rolling update moves on only
 *   once the restarted node holds a copy of the data again. Cluster formation is deliberately not
 *   part of it: the bootstrap Job needs nothing but PING, and nodes must become ready before it runs.
 *
 * Environment: `REDIS_NODE_AUTH_FILE` (the password of the node's own user, which the start
 * script writes; redis-cli reads it from `REDISCLI_AUTH`), `REDIS_PORT` (the TLS port, default
 * 6379), `REDIS_TLS_CA_FILE` (the CA the node's certificate is verified against; the node has no
 * plaintext port).
 */
export const REDIS_PROBE_SCRIPT = `#!/bin/sh
set -u
cli() {
  REDISCLI_AUTH="$(cat "\${REDIS_NODE_AUTH_FILE:?set the file of the node user's password}" 2>/dev/null)" \\
    redis-cli --tls --cacert "\${REDIS_TLS_CA_FILE:?set the CA file}" --user ${NODE_USER} -h 127.0.0.1 -p "\${REDIS_PORT:-6379}" "$@" 2>&1
}
case "\${1:-}" in
  started)
    [ "$(cli ping)" = "PONG" ]
    ;;
  alive)
    case "$(cli ping)" in
      PONG | LOADING*) exit 0 ;;
      *) exit 1 ;;
    esac
    ;;
  ready)
    info="$(cli info)" || exit 1
    case "$info" in
      *loading:0*) ;;
      *) exit 1 ;;
    esac
    case "$info" in
      *role:slave*)
        case "$info" in
          *master_link_status:up*) ;;
          *) exit 1 ;;
        esac
        ;;
    esac
    ;;
  *)
    echo "usage: $0 started|alive|ready" >&2
    exit 2
    ;;
esac
`;
