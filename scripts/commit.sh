#!/usr/bin/env bash
# commit.sh "message" path [path...]
# Commits only the given paths. Several developers share this work tree, so
# retry while another commit holds the index lock.
set -u
msg=$1; shift
for i in $(seq 1 60); do
  if git add -A -- "$@" 2>/tmp/commit.err.$$ && git commit -q -m "$msg" -- "$@" 2>>/tmp/commit.err.$$; then
    rm -f /tmp/commit.err.$$; git log --oneline -1; exit 0
  fi
  if grep -q "index.lock" /tmp/commit.err.$$; then sleep 1; continue; fi
  cat /tmp/commit.err.$$; rm -f /tmp/commit.err.$$; exit 1
done
echo "gave up waiting for the git index lock"; exit 1
