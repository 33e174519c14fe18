import { NODE_USER, REPLICATION_USER } from './redis-constants';

/**
 * The node's users and their passwords; no password is ever an argument of a process.
 *
 * - `write`: writes the ACL file redis-server loads (`aclfile`): the rules file (`acl-rules.conf`,
 *   one `user <name> <rules>` line per user, no password) with each user's password appended as
 *   its SHA-256 (`#<hex>`), read from `<REDIS_CREDENTIALS_DIR>/<user>` (the mounted Secrets), so the
 *   file holds no plaintext. `default` keeps its rules (off); `node`, the node's own user, gets a
 *   random password made now and written to `REDIS_NODE_AUTH_FILE` for the scripts in the
 *   container. Both files are mode 0600 in a memory-backed folder. Fails, so the node does not
 *   start, when a user's password file is missing or empty.
 * - `masterauth`: prints the `masterauth` line for redis-server's standard input, every byte as
 *   `\xHH` in double quotes (redis.conf parses it back exactly, whatever the password holds).
 * - `watch <redis-server pid>`: every `REDIS_RELOAD_SECONDS` (default 30), compares each user's
 *   password file with what the node accepts (at first, the hashes of the ACL file). For a changed
 *   one it adds the new hash (`ACL SETUSER <user> #<hex>`, which keeps the user's connections) and,
 *   for the replication user, sets `masterauth` to the new password; the previous hash is removed
 *   `REDIS_ROTATION_OVERLAP_SECONDS` later (default 3600), once Reloader has restarted the clients
 *   with the new one. Failures are logged and retried on the next round. Runs until the process
 *   `pid` is gone. redis-cli reads the hash and the password from its standard input (`-x`) and
 *   logs in as `node` with `REDISCLI_AUTH`.
 *
 * Environment: `REDIS_ACL_RULES_FILE`, `REDIS_CREDENTIALS_DIR`, `REDIS_ACL_FILE`,
 * `REDIS_NODE_AUTH_FILE`; for `watch` also `REDIS_PORT`, `REDIS_TLS_CA_FILE`.
 */
export const REDIS_USERS_SCRIPT = `#!/bin/sh
set -u
: "\${REDIS_ACL_RULES_FILE:?set the ACL rules file}" "\${REDIS_CREDENTIALS_DIR:?set the folder of the users' passwords}"
: "\${REDIS_ACL_FILE:?set the ACL file}" "\${REDIS_NODE_AUTH_FILE:?set the file of the node user's password}"

# The SHA-256 of a file's exact bytes: what Redis compares with the hash of the password a client sends.
hash_of() {
  sha256sum < "$1" | cut -d ' ' -f 1
}

# "<user> <hash>" for every user of the rules that logs in with a password from a Secret (all but default and ${NODE_USER}).
password_hashes() {
  while read -r keyword user rules; do
    case "$user" in default | ${NODE_USER}) continue ;; esac
    file="$REDIS_CREDENTIALS_DIR/$user"
    if [ ! -s "$file" ]; then
      echo "users: no password for the user $user: $file is missing or empty" >&2
      return 1
    fi
    echo "$user $(hash_of "$file")"
  done < "$REDIS_ACL_RULES_FILE"
}

# Field 2 of the line of $1 whose field 1 is $2.
hash_in() {
  echo "$1" | awk -v user="$2" '$1 == user { print $2 }'
}

write_acl_file() {
  umask 077
  hashes="$(password_hashes)" || exit 1
  od -An -v -tx1 -N32 /dev/urandom | tr -d ' \\n' > "$REDIS_NODE_AUTH_FILE.new"
  node_hash="$(hash_of "$REDIS_NODE_AUTH_FILE.new")"
  while read -r keyword user rules; do
    case "$user" in
      default) echo "user $user $rules" ;;
      ${NODE_USER}) echo "user $user $rules #$node_hash" ;;
      *) echo "user $user $rules #$(hash_in "$hashes" "$user")" ;;
    esac
  done < "$REDIS_ACL_RULES_FILE" > "$REDIS_ACL_FILE.new"
  mv "$REDIS_NODE_AUTH_FILE.new" "$REDIS_NODE_AUTH_FILE"
  mv "$REDIS_ACL_FILE.new" "$REDIS_ACL_FILE"
}

masterauth_line() {
  file="$REDIS_CREDENTIALS_DIR/${REPLICATION_USER}"
  if [ ! -s "$file" ]; then
    echo "users: no password for the user ${REPLICATION_USER}: $file is missing or empty" >&2
    exit 1
  fi
  printf 'masterauth "%s"\\n' "$(od -An -v -tx1 "$file" | tr -d ' \\n' | sed 's/../\\\\x&/g')"
}

cli() {
  REDISCLI_AUTH="$(cat "$REDIS_NODE_AUTH_FILE")" redis-cli --tls --cacert "\${REDIS_TLS_CA_FILE:?set the CA file}" \\
    --user ${NODE_USER} -h 127.0.0.1 -p "\${REDIS_PORT:?set the TLS port}" "$@" 2>&1
}

# Lets user $1 log in with the password whose hash is $2 too; the replication user's also becomes masterauth.
add_password() {
  reply="$(printf '#%s' "$2" | cli -x acl setuser "$1")"
  if [ "$reply" != "OK" ]; then
    echo "users: adding the new password of $1 failed, retrying in \${interval}s: $reply" >&2
    return 1
  fi
  if [ "$1" = "${REPLICATION_USER}" ]; then
    reply="$(cli -x config set masterauth < "$REDIS_CREDENTIALS_DIR/${REPLICATION_USER}")"
    if [ "$reply" != "OK" ]; then
      echo "users: setting masterauth to the new password failed, retrying in \${interval}s: $reply" >&2
      return 1
    fi
  fi
  echo "users: $1 has a new password; the previous one is accepted for another \${overlap}s"
}

# Refuses the password of user $1 whose hash is $2; one that is gone already counts as removed.
remove_password() {
  reply="$(printf '!%s' "$2" | cli -x acl setuser "$1")"
  case "$reply" in
    OK | *"does not exist"*) echo "users: the previous password of $1 is no longer accepted" ;;
    *)
      echo "users: removing the previous password of $1 failed, retrying in \${interval}s: $reply" >&2
      return 1
      ;;
  esac
}

watch() {
  server_pid="\${1:?give the pid of redis-server}"
  interval="\${REDIS_RELOAD_SECONDS:-30}"
  overlap="\${REDIS_ROTATION_OVERLAP_SECONDS:-3600}"
  # What redis-server loaded: the hash ending each user's line of the ACL file, without its '#'.
  accepted="$(awk '$2 != "default" && $2 != "${NODE_USER}" { print $2, substr($NF, 2) }' "$REDIS_ACL_FILE")"
  # "<user> <previous hash> <when to remove it>" per line.
  previous=""
  while sleep "$interval" && kill -0 "$server_pid" 2>/dev/null; do
    now="$(date +%s)"
    current="$(password_hashes)" || continue
    for user in $(echo "$current" | awk '{ print $1 }'); do
      new="$(hash_in "$current" "$user")"
      old="$(hash_in "$accepted" "$user")"
      [ "$new" = "$old" ] && continue
      add_password "$user" "$new" || continue
      accepted="$(echo "$accepted" | awk -v user="$user" -v hash="$new" '$1 == user { $2 = hash } { print }')"
      [ -n "$old" ] && previous="$previous$user $old $((now + overlap))
"
    done
    remaining=""
    while read -r user old deadline; do
      [ -n "$user" ] || continue
      # Rotated back to it meanwhile: the hash is the current one again.
      [ "$old" = "$(hash_in "$accepted" "$user")" ] && continue
      if [ "$deadline" -gt "$now" ] || ! remove_password "$user" "$old"; then
        remaining="$remaining$user $old $deadline
"
      fi
    done <<EOF
$previous
EOF
    previous="$remaining"
  done
}

case "\${1:-}" in
  write) write_acl_file ;;
  masterauth) masterauth_line ;;
  watch) watch "\${2:-}" ;;
  *)
    echo "usage: $0 write | masterauth | watch <redis-server pid>" >&2
    exit 2
    ;;
esac
`;
