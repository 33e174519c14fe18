#!/usr/bin/env bash
# Installs the real servers and tools the tests run our configs, scripts and alerting rules against,
# from Debian's packages, when they are missing: redis-server 7.0, PostgreSQL 15, promtool (the
# `prometheus` package, 2.42 in Debian 12), which checks and unit-tests the rendered PrometheusRules,
# rabbitmq-server (3.10 in Debian 12), which the job queue's users and KEDA's queue-depth check
# run against, and lua5.1 for the Argo CD health check; then builds the Kyverno CLI (Go module proxy) once.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
# The TLS tests make a throwaway CA and key pairs with it.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# Lua 5.1 (the language of Argo CD's gopher-lua) runs the Application health check of docs/gitops.md.
command -v lua5.1 >/dev/null 2>&1 || missing+=(lua5.1)
# etcd 3.4 is the store of the real kube-apiserver 1.27.16 the cluster tests run (tools/cluster/).
[ -x /usr/bin/etcd ] || missing+=(etcd-server)
# GnuPG: the real Argo CD's repo server verifies commit signatures with gpg, and the tests sign the
# commits they serve with a throwaway key (tools/argocd/signing-key.ts); gpgconf ends its agents.
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
command -v gpgconf >/dev/null 2>&1 || missing+=(gpgconf)
# Chromium shows the architecture pictures (docs/architecture/*.svg) as a browser does, for
# test/tools/architecture/architecture-screenshot.test.ts; Liberation Sans has Helvetica's metrics,
# the font Graphviz measured the labels with, so the text fits its boxes there as in other browsers.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || missing+=(fonts-liberation)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-test-tools: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
    exit 1
  fi
  echo "ensure-test-tools: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

redis_version="$(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')"
case "$redis_version" in
  7.0.*) ;;
  *) echo "ensure-test-tools: redis-server $redis_version found; the tests need 7.0.x (the version the cluster runs)" >&2; exit 1 ;;
esac
rabbitmq_version="$(basename /usr/lib/rabbitmq/lib/rabbitmq_server-* | sed 's/^rabbitmq_server-//')"
echo "ensure-test-tools: redis-server $redis_version, $(/usr/lib/postgresql/15/bin/postgres --version), $(promtool --version 2>&1 | head -n 1), rabbitmq-server $rabbitmq_version"
echo "ensure-test-tools: $(chromium --version 2>/dev/null | head -n 1)"

# The Kyverno CLI of the cluster's Kyverno (chart 3.1.5 = v1.11.5) runs the admission policies
# against real and forged objects. It is built from the Go module proxy once and cached outside the
# repository (test/security/support/kyverno-cli.ts); building it here, before jest, keeps two jest
# workers from building it side by side.
kyverno_cli="$(node -e "console.log(require('os').tmpdir())")/generator-platform-kyverno-cli-v1.11.5/kyverno"
if [ ! -x "$kyverno_cli" ]; then
  echo "ensure-test-tools: building the Kyverno CLI v1.11.5 from the Go module proxy (once; about 5 minutes on 2 cores, then cached in $(dirname "$kyverno_cli"))"
  node --import tsx -e "require('./test/security/support/kyverno-cli').kyvernoBinary()"
fi
echo "ensure-test-tools: Kyverno CLI v1.11.5 at $kyverno_cli"
