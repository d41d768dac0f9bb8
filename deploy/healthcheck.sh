#!/bin/bash
# Container health check for adsai: GET /healthz on the local listener, healthy on "200".
#
# Uses only bash (its /dev/tcp redirection) so the image needs no curl or wget. The port comes
# from ADSAI_HTTP_ADDR (host:port or [v6]:port) when set, else 8080; the first argument, when
# given, overrides it. Exit 0 healthy, 1 not.
set -u
addr=${1:-${ADSAI_HTTP_ADDR:-0.0.0.0:8080}}
port=${addr##*:}
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3 || exit 1
IFS= read -r -t 2 status <&3 || exit 1
exec 3<&-
case "$status" in
    "HTTP/1."[01]" 200"*) exit 0 ;;
    *) echo "unhealthy: ${status%$'\r'}" >&2; exit 1 ;;
esac
