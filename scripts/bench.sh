#!/usr/bin/env bash
# Benchmarks the runner: req/s and p50/p99 at 1 and 16 connections, fixed
# JSON beside a native hyper server, and GET /v1/health. BENCH_SECONDS=N per case.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null
cargo build --profile host -p baton-runner -p baton-e2e
./target/host/baton-runner build -f spin.toml >/dev/null
./target/host/baton-runner build -f tests/fixture/spin.toml >/dev/null
BATON_RUNNER_BIN="$PWD/target/host/baton-runner" ./target/host/baton-bench
