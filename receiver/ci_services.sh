# Sourced by .ci/run (bash, as root): PostgreSQL and Chromium for tests/receiver.
#
# Installs Debian's postgresql and chromium when missing (fast when present), creates a
# throw-away PostgreSQL cluster owned by the postgres user (the server refuses to run as
# root) in a temporary directory, on a free loopback port, and exports
# METRICSD_TEST_PG_URL for the tests.  The cluster is stopped when the sourcing shell exits.
# As a non-root user it does nothing: the tests then skip (or fail under CI=...).
if [ "$(id -u)" != 0 ]; then
    echo "receiver services: not root, leaving PostgreSQL/Chromium to the developer"
    return 0 2>/dev/null || exit 0
fi
if ! command -v chromium >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql chromium
fi
_md_pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
_md_pgdir=$(mktemp -d /tmp/metricsd-pg.XXXXXX)
chown postgres: "$_md_pgdir"
chmod 0700 "$_md_pgdir"
runuser -u postgres -- "$_md_pgbin/initdb" -D "$_md_pgdir/data" -A trust -U postgres -E UTF8 \
    --no-sync >/dev/null
_md_pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$_md_pgbin/pg_ctl" -D "$_md_pgdir/data" -l "$_md_pgdir/server.log" -w \
    -o "-p $_md_pgport -k $_md_pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    start >/dev/null
trap 'runuser -u postgres -- "'"$_md_pgbin"'/pg_ctl" -D "'"$_md_pgdir"'/data" -m fast stop >/dev/null 2>&1; rm -rf "'"$_md_pgdir"'"' EXIT
export METRICSD_TEST_PG_URL="postgresql://postgres@127.0.0.1:$_md_pgport/postgres"
echo "receiver services: PostgreSQL $("$_md_pgbin/postgres" --version | awk '{print $3}') on port $_md_pgport, $(chromium --version 2>/dev/null)"
