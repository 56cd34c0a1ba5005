//! Named API tokens for integrations: shown once, each with a role, revocable.

use super::{Handled, Request, Response};
use crate::accounts::{self, API_TOKEN_PREFIX};
use crate::db::transaction;
use crate::env::Ctx;
use crate::permissions::{Permission, Role};
use crate::problem::Problem;
use crate::secrets;
use crate::time::rfc3339;
use crate::validate::{Errors, MAX_NAME_CHARS, parse_body};
use serde::Deserialize;
use serde_json::json;

fn token_json(row: &crate::db::Row) -> serde_json::Value {
    json!({
        "id": row.text("id"),
        "name": row.text("name"),
        "role": row.text("role"),
        "prefix": row.text("prefix"),
        "created_at": rfc3339(row.int("created_at")),
        "last_used_at": row.opt_int("last_used_at").map(rfc3339),
    })
}

pub fn list(ctx: &Ctx, req: &Request) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageIntegrations)?;
    let rows = ctx.db.execute(
        "SELECT id, name, role, prefix, created_at, last_used_at FROM api_tokens WHERE revoked_at IS NULL ORDER BY created_at, id",
        &[],
    )?;
    let tokens: Vec<_> = rows.iter().map(|r| token_json(&r)).collect();
    Ok(Response::json(200, &json!({"tokens": tokens})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: Option<String>,
    role: Option<String>,
}

pub fn create(ctx: &Ctx, req: &Request) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageIntegrations)?;
    let body: CreateBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let name = e.required("name", body.name);
    let name = e.name("name", name, MAX_NAME_CHARS);
    let role = e.required("role", body.role).and_then(|r| {
        let parsed = Role::parse(&r);
        if parsed.is_none() {
            e.add(
                "role",
                format!("{r:?} is not one of owner, admin, manager, support"),
            );
        }
        parsed
    });
    e.finish()?;
    let (Some(name), Some(role)) = (name, role) else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    if role > who.role() {
        return Err(Problem::forbidden(format!(
            "A {} cannot create a token with the {} role.",
            who.role().as_str(),
            role.as_str()
        )));
    }
    let token = secrets::new_secret(API_TOKEN_PREFIX, ctx.random_bytes::<32>());
    let id = crate::ids::new_id(ctx);
    ctx.db.execute(
        "INSERT INTO api_tokens (id, name, role, token_hash, prefix, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[
            id.clone().into(),
            name.clone().into(),
            role.as_str().into(),
            secrets::hash_secret(&token).into(),
            secrets::display_prefix(&token).into(),
            who.accountable_user().map(String::from).into(),
            ctx.now().into(),
        ],
    )?;
    Ok(Response::json(
        201,
        &json!({
            "id": id,
            "name": name,
            "role": role.as_str(),
            "prefix": secrets::display_prefix(&token),
            "created_at": rfc3339(ctx.now()),
            "last_used_at": null,
            "token": token,
        }),
    ))
}

pub fn revoke(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageIntegrations)?;
    transaction(ctx.db, || {
        let rows = ctx.db.execute(
            "SELECT role FROM api_tokens WHERE id = ? AND revoked_at IS NULL",
            &[id.into()],
        )?;
        let Some(row) = rows.first() else {
            return Err(Problem::missing("That API token"));
        };
        let role = Role::parse(&row.text("role")).unwrap_or(Role::Owner);
        if role > who.role() {
            return Err(Problem::forbidden(format!(
                "A {} cannot revoke a token with the {} role.",
                who.role().as_str(),
                role.as_str()
            )));
        }
        ctx.db.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            &[ctx.now().into(), id.into()],
        )?;
        Ok(())
    })?;
    Ok(Response::no_content())
}
