#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suite (CI and developers).
#
#   scripts/pg-test-server.sh start DIR   initdb -E UTF8 --locale=C.UTF-8 into DIR (new or empty),
#                                         start it on a free port of 127.0.0.1 (socket in DIR),
#                                         create the role and database "yinli" (SUPERUSER: the test
#                                         runner creates databases and CREATE EXTENSION pg_trgm),
#                                         and print the URL for YINLI_DATABASE_URL on stdout
#   scripts/pg-test-server.sh url DIR     print that URL again
#   scripts/pg-test-server.sh stop DIR    stop the server and delete DIR
#
# Run as root, the server runs as the `postgres` user; run as anyone else, as that user.
# PG_OPTS adds server options (e.g. PG_OPTS='-c work_mem=64MB' for a benchmark).
# PG_BIN may name the directory of initdb/pg_ctl (default: the newest /usr/lib/postgresql/*/bin,
# else whatever is on PATH). Durability is switched off (fsync=off): this is for tests only.
set -euo pipefail

usage() {
    echo "usage: $0 start|url|stop DIR" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
action=$1
dir=$2

find_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        echo "$PG_BIN"
        return
    fi
    local newest
    newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$newest" && -x "$newest/initdb" ]]; then
        echo "$newest"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
    else
        echo "pg-test-server: initdb not found; install PostgreSQL 15+ or set PG_BIN" >&2
        exit 1
    fi
}

# Run a command as the server's owner.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$action" in
start)
    bin=$(find_bin)
    mkdir -p "$dir"
    if [[ -n "$(ls -A "$dir")" ]]; then
        echo "pg-test-server: $dir is not empty" >&2
        exit 1
    fi
    dir=$(cd "$dir" && pwd)
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$dir"
    fi
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -E UTF8 --locale=C.UTF-8 -U postgres \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    port=$(free_port)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 ${PG_OPTS:-}" \
        start >&2 || {
        cat "$dir/server.log" >&2
        exit 1
    }
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    as_owner psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres <<SQL
CREATE ROLE yinli LOGIN SUPERUSER PASSWORD '$password';
CREATE DATABASE yinli OWNER yinli ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
SQL
    url="postgres://yinli:$password@127.0.0.1:$port/yinli"
    echo "$url" >"$dir/url"
    chmod 644 "$dir/url"
    echo "pg-test-server: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir" >&2
    echo "$url"
    ;;
url)
    cat "$dir/url"
    ;;
stop)
    if [[ -d "$dir/data" ]]; then
        bin=$(find_bin)
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 || true
    fi
    rm -rf "$dir"
    ;;
*)
    usage
    ;;
esac
