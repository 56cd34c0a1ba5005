//! The wasmtime engine and component loading. Components are compiled once
//! at start; compiled artifacts are cached on disk keyed by the wasm's hash
//! and the engine's compatibility hash, so a restart skips Cranelift.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

pub fn new_engine() -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    // Spin pools instances when the address space allows; per-request
    // instantiation is then a few copies instead of fresh mmaps.
    if pooling_wanted() {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(1000);
        pool.total_memories(1000);
        pool.total_tables(1000);
        pool.total_core_instances(1000);
        pool.max_memory_size(4 << 30);
        let mut pooled = config.clone();
        pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        match Engine::new(&pooled) {
            Ok(engine) => return Ok(engine),
            Err(e) => eprintln!("pooling allocator unavailable ({e}); allocating per instance"),
        }
    }
    Ok(Engine::new(&config)?)
}

fn pooling_wanted() -> bool {
    std::env::var("BATON_RUNNER_POOLING").map_or(true, |v| v != "0")
}

/// Default cache directory: `$BATON_RUNNER_CACHE`, else the user's cache dir.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BATON_RUNNER_CACHE") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|base| base.join("baton-runner"))
}

pub fn load_component(
    engine: &Engine,
    wasm_path: &Path,
    cache: Option<&Path>,
) -> Result<Component> {
    let bytes = std::fs::read(wasm_path).with_context(|| {
        format!(
            "cannot read component {} (run `baton-runner build` first?)",
            wasm_path.display()
        )
    })?;
    let Some(cache) = cache else {
        return Ok(Component::new(engine, &bytes)?);
    };
    let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut engine_hash);
    let key = format!(
        "{:x}-{:016x}.cwasm",
        Sha256::digest(&bytes),
        engine_hash.finish()
    );
    let cached = cache.join(key);
    if cached.exists() {
        // SAFETY: the file was written by this runner from `engine.precompile_component`
        // into a cache directory it owns; wasmtime checks version and config on load.
        match unsafe { Component::deserialize_file(engine, &cached) } {
            Ok(component) => return Ok(component),
            Err(e) => eprintln!("ignoring unusable compile cache {}: {e}", cached.display()),
        }
    }
    let compiled = engine.precompile_component(&bytes)?;
    // A failed cache write costs only the next start's compile time.
    let tmp = cached.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::create_dir_all(cache).is_ok() && std::fs::write(&tmp, &compiled).is_ok() {
        let _ = std::fs::rename(&tmp, &cached);
    }
    // SAFETY: these bytes were produced by `precompile_component` just above.
    Ok(unsafe { Component::deserialize(engine, &compiled) }?)
}
