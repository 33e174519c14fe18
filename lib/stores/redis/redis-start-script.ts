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
 * Then the users (`users.sh` beside this script, see REDIS_USERS_SCRIPT): it writes the ACL file
 * redis.conf names (`aclfile`, hashed passwords only) and the node user's password, and takes the
 * replication password for `masterauth`, which it hands to redis-server on its standard input
 * (`redis-server <file> <options> -` reads configuration from there after the file): no password
 * is on a command line (`/proc/<pid>/cmdline`), in the environment or in a file of its own.
 *
 * Then it starts the certificate reload loop (`reload-tls.sh`, see REDIS_TLS_RELOAD_SCRIPT), the
 * password rotation loop (`users.sh watch`) and, in a planned primary, the loop that takes its role
 * back (`role.sh watch`, see REDIS_ROLE_SCRIPT) in the background, so that they live as long as
 * redis-server, in the same container. They run as scripts of their own rather than functions of
 * this one, so that the process list shows what each is.
 *
 * Environment: `REDIS_DATA_DIR`, the folder of `nodes.conf` (the `--dir` passed to redis-server),
 * and the users and reload scripts'.
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

script_dir="$(dirname "$0")"
users_script="$script_dir/users.sh"
reload_script="$script_dir/reload-tls.sh"
role_script="$script_dir/role.sh"
sh "$users_script" write
replication_config="$(sh "$users_script" masterauth)"
# Taken before redis-server reads the files: a renewal that lands in between is reloaded too.
loaded_checksum="$(sh "$reload_script" checksum)"
# exec keeps the pid: $$ is redis-server's from here on.
sh "$reload_script" watch "$loaded_checksum" $$ &
# Starts from the ACL file just written: a rotation that lands before redis-server reads it is applied too.
sh "$users_script" watch $$ &
sh "$role_script" watch $$ &

exec redis-server "$@" - <<EOF
$replication_config
EOF
`;
