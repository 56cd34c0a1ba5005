//! `baton-runner build`: runs each component's `[component.x.build]` commands
//! through `sh -c` in its workdir, in manifest order, like `spin build`.

use crate::manifest::LoadedManifest;
use anyhow::{Result, bail};
use std::process::Command;

pub fn build(loaded: &LoadedManifest, only: &[String]) -> Result<()> {
    for (id, component) in &loaded.manifest.component {
        if !only.is_empty() && !only.contains(id) {
            continue;
        }
        let Some(build) = &component.build else {
            println!("{id}: no build command");
            continue;
        };
        let workdir = match &build.workdir {
            Some(w) => loaded.dir.join(w),
            None => loaded.dir.clone(),
        };
        for command in build.command.list() {
            println!("Building component {id} with `{command}`");
            let status = Command::new("sh")
                .arg("-c")
                .arg(command)
                .current_dir(&workdir)
                .status()?;
            if !status.success() {
                bail!("build command for component {id} failed ({status}): {command}");
            }
        }
    }
    println!("Finished building all Spin components");
    Ok(())
}
