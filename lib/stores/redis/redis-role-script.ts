import { NODE_USER } from './redis-constants';

/**
 * Keeps each shard's primary where planRedisPlacement put it, one per zone, across restarts,
 * drains, rollouts and the loss of a zone. POSIX `sh` and `redis-cli` only, as in the redis image.
 *
 * - `handover [log file]`: the preStop hook. A primary hands its slots to a replica in sync
 *   (`CLUSTER FAILOVER` on the replica, which waits for it to hold every write: nothing is lost)
 *   and only then lets the kubelet stop it, so a restart, a drain or a rollout never leaves a slot
 *   range without a primary. Each zone's StatefulSet rolls on its own, so two zones may stop a
 *   pod at once: a primary whose replica is itself restarting waits for it to be back in sync, up
 *   to `REDIS_HANDOVER_WAIT_SECONDS`, then stops anyway (a drain must end). A replica, or a
 *   primary without one, stops at once. Logs to `log file` (the container's output,
 *   `/proc/1/fd/1`, where the kubelet would otherwise drop a hook's output).
 * - `watch <redis-server pid>`: runs beside redis-server in a planned primary (its ordinal below
 *   `REDIS_PRIMARY_ORDINALS`). Once it is a replica in sync and the whole cluster is healthy (state
 *   ok, no node failing or disconnected) two checks in a row, `REDIS_RELOAD_SECONDS` apart, it
 *   takes its role back with `CLUSTER FAILOVER`. Without it, every handover and failover would
 *   leave one more primary beside another in one zone, and the loss of that zone would take a
 *   majority of the primaries: nothing could then be promoted. It never acts while its own pod is
 *   being stopped (the handover's marker file). Runs until the process `pid` is gone.
 *
 * It logs in to itself as the node's own user (`REDIS_NODE_AUTH_FILE`) and to a replica as
 * `REDIS_HANDOVER_USER`, with the password in `<REDIS_CREDENTIALS_DIR>/<user>`: a user every node
 * knows, allowed CLUSTER FAILOVER (the bootstrap's).
 *
 * Environment: `REDIS_NODE_AUTH_FILE`, `REDIS_TLS_CA_FILE`, `REDIS_PORT` (default 6379),
 * `REDIS_CREDENTIALS_DIR`, `REDIS_HANDOVER_USER`, `REDIS_HANDOVER_WAIT_SECONDS` (default 60);
 * for `watch` also `POD_NAME`, `REDIS_PRIMARY_ORDINALS` and `REDIS_RELOAD_SECONDS` (default 30).
 */
export const REDIS_ROLE_SCRIPT = `#!/bin/sh
set -u
: "\${REDIS_NODE_AUTH_FILE:?set the file of the node user's password}" "\${REDIS_TLS_CA_FILE:?set the CA file}"
# Beside the node user's password, in the container's memory volume: gone with the pod, and removed by the watch when the container restarts.
marker="$(dirname "$REDIS_NODE_AUTH_FILE")/handing-over"

log() {
  echo "role: $*"
}

# This node, as its own user.
self() {
  REDISCLI_AUTH="$(cat "$REDIS_NODE_AUTH_FILE" 2>/dev/null)" \\
    redis-cli --tls --cacert "$REDIS_TLS_CA_FILE" --user ${NODE_USER} -h 127.0.0.1 -p "\${REDIS_PORT:-6379}" "$@" 2>&1 | tr -d '\\r'
}

# Another node ($1 host, $2 port), as the handover user.
peer() {
  host="$1"
  port="$2"
  shift 2
  user="\${REDIS_HANDOVER_USER:?set the user that may fail a replica over}"
  REDISCLI_AUTH="$(cat "\${REDIS_CREDENTIALS_DIR:?set the folder of the users' passwords}/$user" 2>/dev/null)" \\
    redis-cli --tls --cacert "$REDIS_TLS_CA_FILE" --user "$user" -h "$host" -p "$port" "$@" 2>&1 | tr -d '\\r'
}

# One "name:value" field of an INFO or CLUSTER INFO reply ($1).
field() {
  echo "$1" | sed -n "s/^$2://p"
}

role() {
  field "$(self info replication)" role
}

handover() {
  : > "$marker"
  if [ "$(role)" != "master" ]; then
    log "not a primary: nothing to hand over"
    return 0
  fi
  myid="$(self cluster myid)"
  deadline=$(( $(date +%s) + \${REDIS_HANDOVER_WAIT_SECONDS:-60} ))
  while :; do
    # CLUSTER REPLICAS: "<id> <ip>:<port>@<bus port>,<hostname> <flags> <primary> <ping> <pong> <epoch> <link>" per replica.
    for address in $(self cluster replicas "$myid" | awk '$3 !~ /fail/ && $8 == "connected" { print $2 }'); do
      endpoint="\${address%%,*}"
      host="\${address#*,}"
      if [ "$host" = "$address" ]; then
        host="\${endpoint%:*}"
      fi
      port="\${endpoint#*:}"
      port="\${port%@*}"
      info="$(peer "$host" "$port" info replication)"
      if [ "$(field "$info" master_link_status)" != "up" ] || [ "$(field "$info" master_sync_in_progress)" != "0" ]; then
        continue
      fi
      reply="$(peer "$host" "$port" cluster failover)"
      if [ "$reply" != "OK" ]; then
        log "$host:$port refused the failover: $reply"
        continue
      fi
      until [ "$(role)" = "slave" ]; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
          log "$host:$port accepted the failover but has not taken over in time; stopping as a primary"
          return 0
        fi
        sleep 1
      done
      log "handed the primary role over to $host:$port"
      return 0
    done
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "no replica in sync within \${REDIS_HANDOVER_WAIT_SECONDS:-60}s; stopping as a primary: $(self cluster replicas "$myid" | tr '\\n' ';')"
      return 0
    fi
    sleep 1
  done
}

# A replica whose link is up and not resynchronising, in a cluster where every node is connected and none is failing.
in_sync_in_healthy_cluster() {
  info="$(self info replication)"
  [ "$(field "$info" role)" = "slave" ] &&
    [ "$(field "$info" master_link_status)" = "up" ] &&
    [ "$(field "$info" master_sync_in_progress)" = "0" ] &&
    [ "$(field "$(self cluster info)" cluster_state)" = "ok" ] &&
    self cluster nodes | awk 'NF < 8 || $3 ~ /fail/ || $8 != "connected" { bad++ } END { exit (bad > 0) }'
}

watch() {
  pid="$1"
  rm -f "$marker"
  ordinal="\${POD_NAME:-}"
  ordinal="\${ordinal##*-}"
  case "$ordinal" in
    '' | *[!0-9]*) log "no ordinal at the end of POD_NAME '\${POD_NAME:-}': not watching the role"; return 0 ;;
  esac
  if [ "$ordinal" -ge "\${REDIS_PRIMARY_ORDINALS:-0}" ]; then
    return 0
  fi
  log "planned as a primary (ordinal $ordinal): taking the role back whenever it is a replica in sync of a healthy cluster"
  healthy_rounds=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep "\${REDIS_RELOAD_SECONDS:-30}"
    if [ -e "$marker" ] || ! in_sync_in_healthy_cluster; then
      healthy_rounds=0
      continue
    fi
    healthy_rounds=$((healthy_rounds + 1))
    if [ "$healthy_rounds" -ge 2 ]; then
      log "taking the primary role back: $(self cluster failover)"
      healthy_rounds=0
    fi
  done
}

case "\${1:-}" in
  handover)
    if [ -n "\${2:-}" ] && [ -w "$2" ]; then
      exec >> "$2" 2>&1
    fi
    handover
    ;;
  watch)
    watch "\${2:?pass the pid of redis-server}"
    ;;
  *)
    echo "usage: $0 handover [log file] | watch <redis-server pid>" >&2
    exit 2
    ;;
esac
`;
