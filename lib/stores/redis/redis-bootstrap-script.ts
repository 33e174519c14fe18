/**
 * Forms the Redis Cluster when it is not formed and leaves it alone when it is: safe to run again
 * (a retried Job, an Argo CD hook). POSIX `sh` and `redis-cli` only, as found in the redis image.
 *
 * Environment:
 * - `REDIS_NODES`: every node as `host:port`, space-separated, primaries' first (`redis-cli` makes
 *   the first nodes the primaries).
 * - `REDIS_CLUSTER_REPLICAS`: replicas per primary.
 * - `REDIS_USERNAME`: the ACL user it logs in as (`redis-cli --user`), which may run only the
 *   commands a bootstrap needs (BOOTSTRAP_ACCESS).
 * - `REDISCLI_AUTH`: its password; `redis-cli` reads it from the environment, so it is never an argument.
 * - `REDIS_WAIT_SECONDS`: how long to wait for every node to answer, then for `cluster_state:ok`.
 * - `REDIS_TLS_CA_FILE`: the CA every node's certificate is verified against (TLS only, no plaintext port).
 *
 * Exit codes: 0 formed (now or before), 1 not formed in time or in a state only a human should
 * repair (partly formed, a node that lost its data), 2 bad environment.
 */
export const REDIS_BOOTSTRAP_SCRIPT = `#!/bin/sh
set -eu

: "\${REDIS_NODES:?list every node as host:port}"
: "\${REDIS_CLUSTER_REPLICAS:?set the replicas per primary}"
: "\${REDIS_TLS_CA_FILE:?set the CA file}"
: "\${REDIS_USERNAME:?set the user to log in as}"
wait_seconds="\${REDIS_WAIT_SECONDS:-300}"
ALL_SLOTS=16384

node_count=0
for node in $REDIS_NODES; do node_count=$((node_count + 1)); done
if [ $((node_count % (REDIS_CLUSTER_REPLICAS + 1))) -ne 0 ]; then
  echo "bootstrap: $node_count nodes cannot be split into primaries with $REDIS_CLUSTER_REPLICAS replicas each" >&2
  exit 2
fi
primary_count=$((node_count / (REDIS_CLUSTER_REPLICAS + 1)))

cli() {
  node="$1"
  shift
  redis-cli --tls --cacert "$REDIS_TLS_CA_FILE" --user "$REDIS_USERNAME" -h "\${node%:*}" -p "\${node##*:}" "$@"
}

# One field of CLUSTER INFO, without the carriage return Redis ends lines with.
cluster_info_field() {
  cli "$1" cluster info 2>/dev/null | tr -d '\\r' | sed -n "s/^$2://p"
}

deadline=$(( $(date +%s) + wait_seconds ))
for node in $REDIS_NODES; do
  until [ "$(cli "$node" ping 2>/dev/null)" = "PONG" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "bootstrap: $node did not answer PING within \${wait_seconds}s: $(cli "$node" ping 2>&1 || true)" >&2
      exit 1
    fi
    sleep 2
  done
done
echo "bootstrap: all $node_count nodes answer"

formed=0
fresh=0
for node in $REDIS_NODES; do
  known="$(cluster_info_field "$node" cluster_known_nodes)"
  assigned="$(cluster_info_field "$node" cluster_slots_assigned)"
  echo "bootstrap: $node knows $known node(s) and $assigned slot(s)"
  if [ "$known" = "$node_count" ] && [ "$assigned" = "$ALL_SLOTS" ]; then
    formed=$((formed + 1))
  elif [ "$known" = "1" ] && [ "$assigned" = "0" ]; then
    fresh=$((fresh + 1))
  fi
done

if [ "$formed" -eq "$node_count" ]; then
  echo "bootstrap: the cluster is already formed; no change"
elif [ "$fresh" -eq "$node_count" ]; then
  echo "bootstrap: forming a cluster of $primary_count primaries with $REDIS_CLUSTER_REPLICAS replica(s) each"
  # Word splitting of REDIS_NODES is intended: one argument per node.
  redis-cli --tls --cacert "$REDIS_TLS_CA_FILE" --user "$REDIS_USERNAME" --cluster create $REDIS_NODES --cluster-replicas "$REDIS_CLUSTER_REPLICAS" --cluster-yes
else
  echo "bootstrap: the cluster is partly formed ($formed of $node_count nodes formed, $fresh empty); not touching it." >&2
  echo "bootstrap: an empty node has lost its volume or the cluster is mid-change; repair with redis-cli --cluster check/fix or add-node." >&2
  exit 1
fi

# Counts the nodes whose CLUSTER NODES flags (third field, e.g. "myself,master") include $2, as seen by $1.
count_role() {
  cli "$1" cluster nodes 2>/dev/null | awk -v role="$2" '{ n = split($3, flags, ","); for (i = 1; i <= n; i++) if (flags[i] == role) count++ } END { print count + 0 }'
}

# Whether node $1 sees the whole cluster healthy: every node known, every primary and replica in place.
sees_healthy_cluster() {
  [ "$(cluster_info_field "$1" cluster_state)" = "ok" ] &&
    [ "$(cluster_info_field "$1" cluster_known_nodes)" = "$node_count" ] &&
    [ "$(count_role "$1" master)" -eq "$primary_count" ] &&
    [ "$(count_role "$1" slave)" -eq $((node_count - primary_count)) ]
}

# Gossip takes a moment to reach every node after a create or a restart; done means every node agrees.
for node in $REDIS_NODES; do
  until sees_healthy_cluster "$node"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "bootstrap: $node does not see cluster_state:ok with $primary_count primaries and $((node_count - primary_count)) replicas:" >&2
      cli "$node" cluster nodes >&2 || true
      exit 1
    fi
    sleep 1
  done
done
echo "bootstrap: every node sees cluster_state:ok, $primary_count primaries and $((node_count - primary_count)) replicas"
`;
