#!/usr/bin/env bash
# Workspace API at 1,000 and 100,000 Assists (SCALE_N to change the larger
# size; seeded once under target/scale-bench/). Prints figures only.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null
cargo build --profile host -p baton-runner -p baton-e2e
./target/host/baton-runner build -f spin.toml >/dev/null
BATON_RUNNER_BIN="$PWD/target/host/baton-runner" ./target/host/baton-scale-bench
