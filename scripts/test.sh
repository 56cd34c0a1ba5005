#!/usr/bin/env bash
# Runs every test Baton has, on a fresh machine: installs what it needs,
# checks format and lints, builds the runner and the wasm components, then
# runs unit tests and the end-to-end tests through the real runner.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
rustup target add wasm32-wasip2 >/dev/null
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "format"
cargo fmt --all --check

step "build the runner (profile host)"
cargo build --profile host -p baton-runner

step "build the components (wasm32-wasip2) with the runner, like spin build"
./target/host/baton-runner build -f spin.toml
./target/host/baton-runner build -f tests/fixture/spin.toml

step "lint"
cargo clippy --profile host --workspace --exclude baton-inbox-api --exclude baton-escalation --exclude baton-email-inbound --exclude baton-importer --exclude baton-voice-lines --exclude baton-voice-twilio --exclude baton-voice-vonage --exclude baton-voice-aircall --exclude baton-voice-dialpad --exclude baton-voice-ringcentral --exclude baton-voice-quo --exclude baton-fixture --exclude baton-spin-adapter --all-targets -- -D warnings
cargo clippy --release --target wasm32-wasip2 -p baton-inbox-api -p baton-escalation -p baton-email-inbound -p baton-importer -p baton-voice-lines -p baton-voice-twilio -p baton-voice-vonage -p baton-voice-aircall -p baton-voice-dialpad -p baton-voice-ringcentral -p baton-voice-quo -p baton-fixture -p baton-spin-adapter -- -D warnings

step "unit and end-to-end tests"
export BATON_RUNNER_BIN="$PWD/target/host/baton-runner"
export BATON_RUNNER_CACHE="${BATON_RUNNER_CACHE:-$PWD/target/baton-runner-cache}"
results="$(mktemp)"
cargo test --profile host -p baton-runner -p baton-core -p baton-ai -p baton-providers -p baton-e2e 2>&1 | tee "$results"

step "built-in AI quality on the evaluation set (figures, not a gate)"
cargo run --profile host -p baton-ai --example eval

# ---- web inbox -------------------------------------------------------------
# The static component's rules (native unit tests) and lint, then the browser
# tests: Debian's Chromium driven by playwright-core (its own browser download
# does not work here), against the app under baton-runner. The front end was
# built above by `baton-runner build` (npm ci + esbuild, see spin.toml).
step "web inbox: static component tests and lint, browser tests in Chromium"
cargo test --profile host -p baton-web 2>&1 | tee -a "$results"
cargo clippy --release --target wasm32-wasip2 -p baton-web -- -D warnings
if ! command -v chromium >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
npm --prefix tests/browser ci --no-audit --no-fund
browser_log="$(mktemp)"
npm --prefix tests/browser test 2>&1 | tee "$browser_log"
# node's test runner closes with "ℹ pass N" and "ℹ fail N": count them below.
awk '/^ℹ pass [0-9]+/ {print $3 " passed"} /^ℹ fail [0-9]+/ {print $3 " failed"}' "$browser_log" >> "$results"
rm -f "$browser_log"

# One closing line for everything cargo test and the browser tests ran (doc-test runs report 0).
passed=$(grep -Eo '[0-9]+ passed' "$results" | awk '{s += $1} END {print s + 0}')
failed=$(grep -Eo '[0-9]+ failed' "$results" | awk '{s += $1} END {print s + 0}')
rm -f "$results"
echo "summary: ${passed} passed, ${failed} failed"
