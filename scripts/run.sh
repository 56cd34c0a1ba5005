#!/usr/bin/env bash
# Builds and serves Baton on its embedded defaults (SQLite and key-value in
# .spin/ beside spin.toml), like `spin build --up`. Extra arguments go to
# `baton-runner up` (e.g. --listen 0.0.0.0:3000, --variable NAME=VALUE).
#
# Secrets (provider API keys) need `encryption_key`: unless one is given
# (an argument or SPIN_VARIABLE_ENCRYPTION_KEY), a random key is made once
# in .spin/encryption_key and used on every run, so email and phone lines
# can be connected from the first minute. Keep that file: it unlocks them.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null
cargo build --profile host -p baton-runner
args=("$@")
if [[ -z "${SPIN_VARIABLE_ENCRYPTION_KEY:-}" ]] && ! printf '%s\n' "$@" | grep -q '^encryption_key='; then
  key_file=.spin/encryption_key
  if [[ ! -s "$key_file" ]]; then
    mkdir -p .spin
    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$key_file")
  fi
  args+=(--variable "encryption_key=@$key_file")
fi
exec ./target/host/baton-runner up --build "${args[@]}"
