#!/usr/bin/env bash
# Builds and serves Baton on its embedded defaults (SQLite and key-value in
# .spin/ beside spin.toml), like `spin build --up`. Extra arguments go to
# `baton-runner up` (e.g. --listen 0.0.0.0:3000, --variable NAME=VALUE).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null
cargo build --profile host -p baton-runner
exec ./target/host/baton-runner up --build "$@"
