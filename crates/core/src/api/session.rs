//! First-run setup, sign-in, sign-out and "who am I".

use super::{Handled, Request, Response};
use crate::accounts::{self, NewUser, Principal, USER_COLUMNS, User};
use crate::db::transaction;
use crate::env::Ctx;
use crate::permissions::Role;
use crate::problem::Problem;
use crate::validate::{Errors, MAX_EMAIL_CHARS, MAX_NAME_CHARS, parse_body};
use crate::{ratelimit, secrets};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupBody {
    name: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

/// Whether first-run setup is still to be done (the web inbox shows setup
/// instead of sign-in on a fresh deployment). Public: it says only that.
pub fn setup_status(ctx: &Ctx) -> Handled {
    let rows = ctx.db.execute("SELECT 1 FROM users LIMIT 1", &[])?;
    Ok(Response::json(
        200,
        &serde_json::json!({"needed": rows.rows.is_empty()}),
    ))
}

pub fn setup(ctx: &Ctx, req: &Request) -> Handled {
    let body: SetupBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let name = e.required("name", body.name);
    let name = e.name("name", name, MAX_NAME_CHARS);
    let raw_email = e.required("email", body.email);
    let email = e.email("email", raw_email.clone());
    let password = e.required("password", body.password);
    if let Some(p) = &password
        && let Err(why) = secrets::check_password(p, raw_email.as_deref().unwrap_or(""))
    {
        e.add("password", why);
    }
    e.finish()?;
    let (Some(name), Some(email), Some(password)) = (name, email, password) else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    let session = transaction(ctx.db, || {
        let rows = ctx.db.execute("SELECT COUNT(*) FROM users", &[])?;
        if rows.scalar().and_then(|v| v.as_i64()).unwrap_or(0) > 0 {
            return Err(Problem::conflict(
                "Baton is already set up; sign in at POST /v1/auth/login.",
            ));
        }
        let user = accounts::insert_user(
            ctx,
            &NewUser {
                email: &email,
                name: &name,
                role: Role::Owner,
                password: &password,
            },
        )?;
        accounts::new_session(ctx, &user)
    })?;
    Ok(Response::json(201, &session))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: Option<String>,
    password: Option<String>,
}

const BAD_CREDENTIALS: &str = "The email or password is not correct.";

pub fn login(ctx: &Ctx, req: &Request) -> Handled {
    let body: LoginBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let email = e
        .required("email", body.email)
        .map(|s| s.trim().to_lowercase());
    let password = e.required("password", body.password);
    if email
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_EMAIL_CHARS)
    {
        e.add(
            "email",
            format!("is longer than {MAX_EMAIL_CHARS} characters"),
        );
    }
    if password
        .as_ref()
        .is_some_and(|s| s.chars().count() > secrets::MAX_PASSWORD_CHARS)
    {
        e.add(
            "password",
            format!("is longer than {} characters", secrets::MAX_PASSWORD_CHARS),
        );
    }
    e.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    ratelimit::check(ctx, &email)?;
    let rows = ctx.db.execute(
        &format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = ? AND removed_at IS NULL"
        ),
        &[email.clone().into()],
    )?;
    let found = rows
        .first()
        .map(|r| (User::from_row(&r), r.text("password_hash")));
    // Verify against a dummy hash for unknown emails: same answer, similar time.
    let stored = found
        .as_ref()
        .map_or_else(secrets::dummy_hash, |(_, h)| h.clone());
    let verified = secrets::verify_password(&password, &stored);
    match found {
        Some((user, _)) if verified => {
            ratelimit::record_success(ctx, &email)?;
            Ok(Response::json(200, &accounts::new_session(ctx, &user)?))
        }
        _ => {
            ratelimit::record_failure(ctx, &email)?;
            Err(Problem::unauthorized(BAD_CREDENTIALS))
        }
    }
}

pub fn logout(ctx: &Ctx, req: &Request) -> Handled {
    match accounts::authenticate(ctx, req.authorization())? {
        Principal::User(_) => {
            let token = accounts::bearer(req.authorization()).unwrap_or("");
            ctx.db.execute(
                "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                &[ctx.now().into(), secrets::hash_secret(token).into()],
            )?;
            Ok(Response::no_content())
        }
        Principal::ApiToken { .. } => Err(Problem::bad_request(
            "API tokens do not sign out; revoke one with DELETE /v1/tokens/{id}.",
        )),
    }
}

pub fn me(ctx: &Ctx, req: &Request) -> Handled {
    match accounts::authenticate(ctx, req.authorization())? {
        Principal::User(u) => Ok(Response::json(200, &json!({"user": u.to_json()}))),
        Principal::ApiToken { id, name, role, .. } => Ok(Response::json(
            200,
            &json!({"token": {"id": id, "name": name, "role": role.as_str()}}),
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    current_password: Option<String>,
    new_password: Option<String>,
}

/// A member changes their own password: the current one proves it is
/// them (throttled like sign-in), every other session ends, and this
/// client gets a fresh session so it stays signed in.
pub fn change_password(ctx: &Ctx, req: &Request) -> Handled {
    let user = match accounts::authenticate(ctx, req.authorization())? {
        Principal::User(u) => u,
        Principal::ApiToken { .. } => {
            return Err(Problem::forbidden(
                "An API token has no password; sign in as the member to change theirs.",
            ));
        }
    };
    let body: PasswordBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let current = e.required("current_password", body.current_password);
    let new = e.required("new_password", body.new_password);
    if let Some(p) = &new
        && let Err(why) = secrets::check_password(p, &user.email)
    {
        e.add("new_password", why);
    }
    if current
        .as_ref()
        .is_some_and(|s| s.chars().count() > secrets::MAX_PASSWORD_CHARS)
    {
        e.add("current_password", "is not your current password");
    }
    e.finish()?;
    let (Some(current), Some(new)) = (current, new) else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    ratelimit::check(ctx, &user.email)?;
    let stored = ctx
        .db
        .execute(
            "SELECT password_hash FROM users WHERE id = ?",
            &[user.id.clone().into()],
        )?
        .first()
        .map(|r| r.text("password_hash"))
        .unwrap_or_else(secrets::dummy_hash);
    if !secrets::verify_password(&current, &stored) {
        ratelimit::record_failure(ctx, &user.email)?;
        return Err(Problem::field(
            "current_password",
            "is not your current password",
        ));
    }
    ratelimit::record_success(ctx, &user.email)?;
    let session = transaction(ctx.db, || set_password(ctx, &user, &new))?;
    Ok(Response::json(200, &session))
}

/// Stores a new password (inside the caller's transaction), ends every
/// session of the member and opens a new one for this client.
fn set_password(ctx: &Ctx, user: &User, password: &str) -> Result<serde_json::Value, Problem> {
    let hash = secrets::hash_password(password, ctx.random_bytes::<16>())
        .map_err(|e| Problem::new(500, format!("Password hashing failed: {e}")))?;
    ctx.db.execute(
        "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
        &[hash.into(), ctx.now().into(), user.id.clone().into()],
    )?;
    accounts::revoke_sessions_of(ctx.db, &user.id, ctx.now())?;
    accounts::new_session(ctx, user)
}

/// A reset link lives this long.
pub const RESET_TTL_SECONDS: i64 = 3600;
const RESET_PREFIX: &str = "bpr";
/// Reset emails per address per hour, so the form cannot flood a mailbox.
const RESETS_PER_HOUR: u32 = 3;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetRequestBody {
    email: Option<String>,
}

/// A single-use reset link for `user`: stored hashed, valid an hour.
pub fn new_reset_link(ctx: &Ctx, user_id: &str) -> Result<String, Problem> {
    let token = secrets::new_secret(RESET_PREFIX, ctx.random_bytes::<32>());
    ctx.db.execute(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        &[
            secrets::hash_secret(&token).into(),
            user_id.into(),
            ctx.now().into(),
            (ctx.now() + RESET_TTL_SECONDS).into(),
        ],
    )?;
    Ok(format!(
        "{}/reset-password?token={token}",
        ctx.settings.public_url.trim_end_matches('/')
    ))
}

/// "Forgot password": emails a reset link when the address is a member's
/// and some bot can send. Always the same 202, so the answer does not
/// tell who is a member.
pub fn request_reset(ctx: &Ctx, req: &Request) -> Handled {
    let body: ResetRequestBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let email = e.required("email", body.email);
    let email = e.email("email", email);
    e.finish()?;
    let Some(email) = email else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    let sent = ratelimit::hit(ctx, &format!("reset:{email}"), 3600)?;
    if sent <= RESETS_PER_HOUR {
        let rows = ctx.db.execute(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE email = ? AND removed_at IS NULL"),
            &[email.clone().into()],
        )?;
        if let Some(user) = rows.first().map(|r| User::from_row(&r)) {
            transaction(ctx.db, || {
                let link = new_reset_link(ctx, &user.id)?;
                crate::email::queue_password_reset(ctx, &user.email, &user.name, &link).map(|_| ())
            })?;
        }
    }
    Ok(Response::json(
        202,
        &json!({"detail": "If that address belongs to a member, a reset link is on its way; it works once, for an hour."}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    password: Option<String>,
}

/// Sets a new password with a reset link's token: once, within the hour.
/// Every session of the member ends; this client gets a new one.
pub fn complete_reset(ctx: &Ctx, req: &Request, token: &str) -> Handled {
    let body: ResetBody = parse_body(req.body)?;
    let rows = ctx.db.execute(
        &format!(
            "SELECT r.expires_at, r.used_at, {} FROM password_resets r JOIN users u ON u.id = r.user_id \
             WHERE r.token_hash = ? AND u.removed_at IS NULL",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        &[secrets::hash_secret(token).into()],
    )?;
    let Some(row) = rows.first() else {
        // Unknown, like used or expired: the link cannot be used.
        return Err(Problem::new(
            410,
            "This reset link is not valid (mistyped, used or expired); ask for a new one.",
        ));
    };
    if row.opt_int("used_at").is_some() || row.int("expires_at") <= ctx.now() {
        return Err(Problem::new(
            410,
            "This reset link was used or has expired; ask for a new one.",
        ));
    }
    let user = User::from_row(&row);
    let mut e = Errors::default();
    let password = e.required("password", body.password);
    if let Some(p) = &password
        && let Err(why) = secrets::check_password(p, &user.email)
    {
        e.add("password", why);
    }
    e.finish()?;
    let Some(password) = password else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    let session = transaction(ctx.db, || {
        let used = ctx.db.execute(
            "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL RETURNING token_hash",
            &[ctx.now().into(), secrets::hash_secret(token).into()],
        )?;
        if used.rows.is_empty() {
            return Err(Problem::new(410, "This reset link was already used."));
        }
        set_password(ctx, &user, &password)
    })?;
    Ok(Response::json(200, &session))
}
