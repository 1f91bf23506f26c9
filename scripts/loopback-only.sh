#!/usr/bin/env bash
# loopback-only.sh CMD [ARGS...]
# Runs CMD inside a fresh network namespace that has nothing but loopback
# (127.0.0.1 and ::1), so no test, browser or ICE agent can send a packet to
# any other address. Needs root (or unprivileged user namespaces); where
# neither is available it runs CMD directly and says so.
set -u
if [ "${RIVULET_IN_NETNS:-}" = 1 ]; then exec "$@"; fi
if command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    exec unshare -n env RIVULET_IN_NETNS=1 bash -c 'ip link set lo up && exec "$@"' bash "$@"
  fi
  if unshare -rn true 2>/dev/null; then
    exec unshare -rn env RIVULET_IN_NETNS=1 bash -c 'ip link set lo up && exec "$@"' bash "$@"
  fi
fi
echo "note: cannot create a loopback-only network namespace here; tests still use 127.0.0.1 only" >&2
exec "$@"
