/**
 * Starts a cluster node: `exec redis-server "$@"`, after pointing every node that `nodes.conf`
 * remembers at the address its stable hostname resolves to now.
 *
 * Why: a pod gets a new IP on every restart, and nodes reach each other over the cluster bus by the
 * IPs saved in `nodes.conf`. One restarted node is found again (it connects to the others, which
 * learn its new IP), but after all pods restart at once (a full outage, a cluster upgrade) every
 * saved IP is stale and the nodes could never meet again. Redis 7 saves each node's announced
 * hostname next to its IP, so the IPs can be refreshed from DNS before the node starts. A hostname
 * that does not resolve yet (that pod has no IP yet) keeps its old IP; that pod resolves this one
 * when it starts, and gossip does the rest.
 *
 * Then it starts the certificate reload loop (`reload-tls.sh` beside this script, see
 * REDIS_TLS_RELOAD_SCRIPT) in the background, so that the loop lives as long as redis-server, in
 * the same container. It runs as a script of its own rather than a function of this one: a forked
 * copy of this shell would keep its arguments, the password among them, readable in the process list.
 *
 * Environment: `REDIS_DATA_DIR`, the folder of `nodes.conf` (the `--dir` passed to redis-server),
 * and the reload script's.
 */
export const REDIS_START_SCRIPT = `#!/bin/sh
set -eu
conf="\${REDIS_DATA_DIR:?set the data folder}/nodes.conf"

# Prints one nodes.conf line, "<id> <ip>:<port>@<bus port>,<hostname> <rest>", with the IP the hostname resolves to now.
refresh_line() {
  id="$1"
  address="$2"
  shift 2
  hostname="\${address#*,}"
  endpoint="\${address%%,*}"
  ip=""
  if [ "$hostname" != "$address" ] && [ -n "$hostname" ]; then
    ip="$(getent hosts "$hostname" | awk 'NR == 1 { print $1 }')" || ip=""
  fi
  if [ -n "$ip" ]; then
    echo "$id $ip:\${endpoint##*:},$hostname $*"
  else
    echo "$id $address $*"
  fi
}

if [ -s "$conf" ]; then
  : > "$conf.refreshed"
  while IFS= read -r line; do
    case "$line" in
      '') ;;
      vars\\ *) echo "$line" >> "$conf.refreshed" ;;
      # Word splitting is intended: nodes.conf fields are single-space separated and hold no spaces.
      *) refresh_line $line >> "$conf.refreshed" ;;
    esac
  done < "$conf"
  mv "$conf.refreshed" "$conf"
fi

reload_script="$(dirname "$0")/reload-tls.sh"
# Taken before redis-server reads the files: a renewal that lands in between is reloaded too.
loaded_checksum="$(sh "$reload_script" checksum)"
# exec keeps the pid: $$ is redis-server's from here on.
sh "$reload_script" watch "$loaded_checksum" $$ &

exec redis-server "$@"
`;
