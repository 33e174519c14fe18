/**
 * Forms the Redis Cluster as planned when it is not formed and leaves it alone when it is: safe to
 * run again (a retried Job, an Argo CD hook). POSIX `sh`, `getent` and `redis-cli` only, as found
 * in the redis image.
 *
 * It forms the cluster itself rather than with `redis-cli --cluster create`, which makes the first
 * nodes it is given the primaries and pairs the rest with them by position, knowing nothing of
 * zones: the plan (planRedisPlacement) is what keeps a primary and its replica in different zones.
 * Shard i gets the i-th equal share of the 16384 slots on its primary (CLUSTER ADDSLOTSRANGE),
 * every node a distinct config epoch, the nodes meet, and each replica follows its shard's primary.
 *
 * Environment:
 * - `REDIS_PRIMARIES`: the planned primary of each shard as `host:port`, space-separated, by shard.
 * - `REDIS_REPLICAS`: the planned replica of each shard, in the same order; empty without replicas.
 * - `REDIS_USERNAME`: the ACL user it logs in as (`redis-cli --user`), which may run only the
 *   commands a bootstrap needs (BOOTSTRAP_ACCESS).
 * - `REDISCLI_AUTH`: its password; `redis-cli` reads it from the environment, so it is never an argument.
 * - `REDIS_WAIT_SECONDS`: how long to wait for every node to answer, then for `cluster_state:ok`.
 * - `REDIS_TLS_CA_FILE`: the CA every node's certificate is verified against (TLS only, no plaintext port).
 *
 * Exit codes: 0 formed (now or before) with every planned pair intact, 1 not formed in time or in
 * a state only a human should repair (partly formed, a node that lost its data, a replica that
 * follows another shard's primary), 2 bad environment.
 */
export const REDIS_BOOTSTRAP_SCRIPT = `#!/bin/sh
set -eu

: "\${REDIS_PRIMARIES:?list the planned primary of each shard as host:port}"
REDIS_REPLICAS="\${REDIS_REPLICAS:-}"
: "\${REDIS_TLS_CA_FILE:?set the CA file}"
: "\${REDIS_USERNAME:?set the user to log in as}"
wait_seconds="\${REDIS_WAIT_SECONDS:-300}"
ALL_SLOTS=16384

words() { echo $#; }
# Word splitting of the lists is intended throughout: one word per node.
primary_count=$(words $REDIS_PRIMARIES)
replica_count=$(words $REDIS_REPLICAS)
if [ "$primary_count" -lt 3 ] || { [ "$replica_count" -ne 0 ] && [ "$replica_count" -ne "$primary_count" ]; }; then
  echo "bootstrap: $primary_count primaries and $replica_count replicas: list at least 3 primaries and one replica for each or none" >&2
  exit 2
fi
all_nodes="$REDIS_PRIMARIES $REDIS_REPLICAS"
node_count=$((primary_count + replica_count))

# Helpers name their variables apart from the callers': sh has only global variables.
cli() {
  cli_node="$1"
  shift
  redis-cli --tls --cacert "$REDIS_TLS_CA_FILE" --user "$REDIS_USERNAME" -h "\${cli_node%:*}" -p "\${cli_node##*:}" "$@" 2>&1 | tr -d '\\r'
}

# Word $2 (from 1) of the list $1.
nth() {
  echo "$1" | awk -v n="$2" '{ print $n }'
}

# One field of CLUSTER INFO.
cluster_info_field() {
  cli "$1" cluster info 2>/dev/null | sed -n "s/^$2://p"
}

# Runs a command on node $1 that must answer OK.
expect_ok() {
  ok_node="$1"
  shift
  reply="$(cli "$ok_node" "$@")"
  if [ "$reply" != "OK" ]; then
    echo "bootstrap: $ok_node answered $* with: $reply" >&2
    exit 1
  fi
}

# Waits until the check "$@" succeeds, or fails with its name after the deadline.
wait_until() {
  until "$@"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "bootstrap: gave up waiting: $*" >&2
      for wait_node in $all_nodes; do echo "--- $wait_node" >&2; cli "$wait_node" cluster nodes >&2 || true; done
      exit 1
    fi
    sleep 1
  done
}

deadline=$(( $(date +%s) + wait_seconds ))
for node in $all_nodes; do
  until [ "$(cli "$node" ping)" = "PONG" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "bootstrap: $node did not answer PING within \${wait_seconds}s: $(cli "$node" ping || true)" >&2
      exit 1
    fi
    sleep 2
  done
done
echo "bootstrap: all $node_count nodes answer"

formed=0
fresh=0
for node in $all_nodes; do
  known="$(cluster_info_field "$node" cluster_known_nodes)"
  assigned="$(cluster_info_field "$node" cluster_slots_assigned)"
  echo "bootstrap: $node knows $known node(s) and $assigned slot(s)"
  if [ "$known" = "$node_count" ] && [ "$assigned" = "$ALL_SLOTS" ]; then
    formed=$((formed + 1))
  elif [ "$known" = "1" ] && [ "$assigned" = "0" ]; then
    fresh=$((fresh + 1))
  fi
done

every_node_knows_all() {
  for known_node in $all_nodes; do
    [ "$(cluster_info_field "$known_node" cluster_known_nodes)" = "$node_count" ] || return 1
  done
}

# Makes replica $1 follow primary $2; the replica may not know the primary's id until gossip reaches it.
replicates() {
  [ "$(cli "$1" cluster replicate "$(cli "$2" cluster myid)")" = "OK" ]
}

form() {
  shard=0
  for node in $REDIS_PRIMARIES; do
    expect_ok "$node" cluster addslotsrange $((shard * ALL_SLOTS / primary_count)) $(((shard + 1) * ALL_SLOTS / primary_count - 1))
    shard=$((shard + 1))
  done
  # Distinct epochs before the nodes meet, as redis-cli does: no epoch collision to resolve later.
  epoch=1
  for node in $all_nodes; do
    expect_ok "$node" cluster set-config-epoch "$epoch"
    epoch=$((epoch + 1))
  done
  # CLUSTER MEET takes an IP address, not a name; the nodes announce their names themselves.
  first="$(nth "$REDIS_PRIMARIES" 1)"
  for node in $all_nodes; do
    if [ "$node" != "$first" ]; then
      ip="$(getent hosts "\${node%:*}" | awk 'NR == 1 { print $1 }')"
      expect_ok "$first" cluster meet "\${ip:?cannot resolve \${node%:*}}" "\${node##*:}"
    fi
  done
  wait_until every_node_knows_all
  index=1
  for replica in $REDIS_REPLICAS; do
    wait_until replicates "$replica" "$(nth "$REDIS_PRIMARIES" "$index")"
    index=$((index + 1))
  done
}

if [ "$formed" -eq "$node_count" ]; then
  echo "bootstrap: the cluster is already formed; no change"
elif [ "$fresh" -eq "$node_count" ]; then
  echo "bootstrap: forming a cluster of $primary_count primaries with $((replica_count / primary_count)) replica(s) each, as planned"
  form
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
    [ "$(count_role "$1" slave)" -eq "$replica_count" ]
}

# Gossip takes a moment to reach every node after forming or a restart; done means every node agrees.
for node in $all_nodes; do
  wait_until sees_healthy_cluster "$node"
done
echo "bootstrap: every node sees cluster_state:ok, $primary_count primaries and $replica_count replicas"

# Each planned pair must still be a pair, whichever of the two is the primary now (a handover or a
# failover swaps them): only then are a shard's two copies in different zones.
view="$(cli "$(nth "$REDIS_PRIMARIES" 1)" cluster nodes)"
# Whether the node with id $1 follows the node with id $2 (the fourth field of CLUSTER NODES).
follows() {
  [ "$(echo "$view" | awk -v id="$1" '$1 == id { print $4 }')" = "$2" ]
}
index=1
for replica in $REDIS_REPLICAS; do
  primary="$(nth "$REDIS_PRIMARIES" "$index")"
  primary_id="$(cli "$primary" cluster myid)"
  replica_id="$(cli "$replica" cluster myid)"
  if follows "$replica_id" "$primary_id"; then
    echo "bootstrap: shard $((index - 1)): $primary is the primary, $replica its replica, as planned"
  elif follows "$primary_id" "$replica_id"; then
    echo "bootstrap: shard $((index - 1)): $replica is the primary after a handover or failover, $primary its replica; $primary takes the role back once in sync"
  else
    echo "bootstrap: shard $((index - 1)): $primary and $replica are not a primary and its replica any more; re-pair them with CLUSTER REPLICATE" >&2
    exit 1
  fi
  index=$((index + 1))
done
`;
