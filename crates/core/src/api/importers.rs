//! Importer accounts (`/v1/integrations/importers`, Owner and Admin). The
//! calls that reach a help desk (the credential check on creation, runs)
//! are driven by the importer component; these are the parts without I/O.

use super::{Handled, Request, Response};
use crate::accounts::{self, Principal};
use crate::env::Ctx;
use crate::imports;
use crate::permissions::Permission;
use crate::problem::Problem;
use crate::validate::parse_body;
use baton_providers::helpdesk::{Credentials, HelpdeskProvider, ProviderError};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

pub fn authorize(ctx: &Ctx, req: &Request) -> Result<Principal, Problem> {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageIntegrations)?;
    Ok(who)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    provider: Option<String>,
    credentials: Option<Map<String, Json>>,
    brand_label: Option<String>,
}

/// A create request's provider credentials and brand label, validated.
pub fn parse_create(req: &Request) -> Result<(Credentials, Option<String>), Problem> {
    let body: CreateBody = parse_body(req.body)?;
    let provider = match body.provider.as_deref().map(str::trim) {
        None | Some("") => {
            return Err(Problem::field(
                "provider",
                "is required: zendesk, intercom, freshdesk, happyfox or helpscout",
            ));
        }
        Some(p) => HelpdeskProvider::parse(p).ok_or_else(|| {
            Problem::field(
                "provider",
                format!("{p:?} is not one of zendesk, intercom, freshdesk, happyfox, helpscout"),
            )
        })?,
    };
    let Some(fields) = body.credentials else {
        return Err(Problem::field("credentials", "is required"));
    };
    let creds = imports::credentials_from(provider, &fields)?;
    let brand = body
        .brand_label
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty());
    if brand.as_ref().is_some_and(|b| b.chars().count() > 60) {
        return Err(Problem::field("brand_label", "use up to 60 characters"));
    }
    Ok((creds, brand))
}

/// The answer to a failed credential check.
pub fn check_failed(provider: HelpdeskProvider, e: &ProviderError, now: i64) -> Problem {
    let name = provider.as_str();
    match e {
        ProviderError::BadCredentials(m) => Problem::field(
            "credentials",
            format!("{name} refused these credentials: {m}"),
        ),
        ProviderError::MissingPermission(m) => Problem::field(
            "credentials",
            format!("{name} accepted these credentials, but they may not read tickets: {m}"),
        ),
        ProviderError::RateLimited { .. } => {
            let wait = e.wait_secs(now).unwrap_or(60) as i64;
            Problem::too_many(
                wait,
                format!("{name} is rate limiting; try again in {wait} seconds."),
            )
        }
        ProviderError::NotFound(m) => {
            Problem::field("credentials", format!("{name} has no such account: {m}"))
        }
        other => Problem::new(
            502,
            format!("Could not check the credentials with {name}: {other}"),
        ),
    }
}

/// The routes that need no help-desk call.
pub fn handle(ctx: &Ctx, req: &Request) -> Response {
    let result = (|| -> Handled {
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        match (req.method, segments.as_slice()) {
            ("GET", ["v1", "integrations", "importers"]) => {
                authorize(ctx, req)?;
                Ok(Response::json(200, &imports::list_json(ctx)?))
            }
            ("GET", ["v1", "integrations", "importers", id]) => {
                authorize(ctx, req)?;
                Ok(Response::json(200, &imports::get_json(ctx, id)?))
            }
            ("DELETE", ["v1", "integrations", "importers", id]) => {
                authorize(ctx, req)?;
                imports::delete(ctx, id)?;
                Ok(Response::no_content())
            }
            ("GET", ["v1", "integrations", "importers", id, "runs"]) => {
                authorize(ctx, req)?;
                Ok(Response::json(200, &imports::runs_json(ctx, id)?))
            }
            (_, ["v1", "integrations", "importers"])
            | (_, ["v1", "integrations", "importers", _])
            | (_, ["v1", "integrations", "importers", _, "runs" | "run"]) => {
                Err(Problem::method_not_allowed(req.method, req.path))
            }
            _ => Err(Problem::not_found(req.path)),
        }
    })();
    result.unwrap_or_else(|p| Response::problem(&p))
}
