#!/usr/bin/env bash
# Benchmarks the runner: req/s and p50/p99 at 1 and 16 connections, fixed
# JSON beside a native hyper server, and GET /v1/health; then the write path:
# p50/p90/p99, req/s and errors of concurrent escalation creates at 1, 16
# and 64 writers (docs/runner-hardening.md). Prints figures, asserts nothing.
# BENCH_SECONDS=N per case; BENCH_ONLY=writes for the write path alone
# (BENCH_WRITERS=1,16,64 picks the writer counts).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null
cargo build --profile host -p baton-runner -p baton-e2e
./target/host/baton-runner build -f spin.toml >/dev/null
./target/host/baton-runner build -f tests/fixture/spin.toml >/dev/null
BATON_RUNNER_BIN="$PWD/target/host/baton-runner" ./target/host/baton-bench
