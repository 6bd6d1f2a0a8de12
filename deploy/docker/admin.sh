#!/bin/bash
# admin METHOD PATH [JSON]: one call to this service's admin API, made inside its container, where the admin port
# (ADMIN_PORT, never published) listens. For example:
#   docker compose exec mail-service admin POST /admin/replay '{"topic":"orders","from":"earliest"}'
# The password is ADMIN_PASSWORD, or else the file compose generates (ADMIN_PASSWORD_FILE); it reaches curl on its
# standard input, never on a command line another process could read.
# Prints the answer's body on standard output and "HTTP <status>" on standard error; exits 0 on a 2xx answer, 1 on
# any other, 2 when there is no answer (or no password).
set -euo pipefail

if (($# < 2 || $# > 3)); then
    echo "usage: admin METHOD PATH [JSON]    e.g. admin POST /admin/products/SKU-1/restock '{\"quantity\":10}'" >&2
    exit 2
fi
method=$1
path=$2
password=${ADMIN_PASSWORD:-}
file=${ADMIN_PASSWORD_FILE:-/run/secrets/shopflow-admin/ADMIN_PASSWORD}
if [[ -z $password && -r $file ]]; then
    password=$(<"$file")
fi
if [[ -z $password ]]; then
    echo "admin: no password: neither ADMIN_PASSWORD nor a readable $file" >&2
    exit 2
fi
# curl's config syntax: a quoted value with backslash and quote escaped
credentials="${ADMIN_USERNAME:-admin}:$password"
credentials=${credentials//\\/\\\\}
credentials=${credentials//\"/\\\"}

arguments=(-sS --max-time "${ADMIN_TIMEOUT:-60}" -K - -X "$method" -w '\n%{http_code}')
if (($# == 3)); then
    arguments+=(-H 'Content-Type: application/json' --data-binary "$3")
fi
if ! answer=$(printf 'user = "%s"\n' "$credentials" \
        | curl "${arguments[@]}" "http://localhost:${ADMIN_PORT:-9081}$path"); then
    echo "admin: no answer from localhost:${ADMIN_PORT:-9081}$path" >&2
    exit 2
fi
status=${answer##*$'\n'}
body=${answer%$'\n'*}
if [[ -n $body ]]; then
    printf '%s\n' "$body"
fi
echo "HTTP $status" >&2
[[ $status == 2?? ]] || exit 1
