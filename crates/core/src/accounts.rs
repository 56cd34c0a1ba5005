//! Team members, sessions, API tokens and who is calling (the principal).

use crate::db::{Db, Row, Value};
use crate::env::Ctx;
use crate::permissions::{Permission, Role, allows};
use crate::problem::Problem;
use crate::secrets;
use crate::time::rfc3339;
use serde_json::{Value as Json, json};

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub availability: String,
    pub can_set_own_availability: bool,
    pub created_at: i64,
}

pub const USER_COLUMNS: &str =
    "id, email, name, role, availability, can_set_own_availability, created_at";

impl User {
    pub fn from_row(row: &Row) -> User {
        User {
            id: row.text("id"),
            email: row.text("email"),
            name: row.text("name"),
            role: Role::parse(&row.text("role")).unwrap_or(Role::Support),
            availability: row.text("availability"),
            can_set_own_availability: row.int("can_set_own_availability") != 0,
            created_at: row.int("created_at"),
        }
    }

    pub fn to_json(&self) -> Json {
        json!({
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "role": self.role.as_str(),
            "availability": self.availability,
            "can_set_own_availability": self.can_set_own_availability,
            "created_at": rfc3339(self.created_at),
        })
    }
}

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    User(User),
    ApiToken {
        id: String,
        name: String,
        /// The token's role, lowered to its creator's current role.
        role: Role,
        /// The member who minted it (directly or through another token).
        created_by: Option<String>,
    },
}

impl Principal {
    /// Who did it, as events record it (`user:<id>` or `token:<id>`).
    pub fn actor(&self) -> String {
        match self {
            Principal::User(u) => format!("user:{}", u.id),
            Principal::ApiToken { id, .. } => format!("token:{id}"),
        }
    }

    pub fn role(&self) -> Role {
        match self {
            Principal::User(u) => u.role,
            Principal::ApiToken { role, .. } => *role,
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match self {
            Principal::User(u) => Some(&u.id),
            Principal::ApiToken { .. } => None,
        }
    }

    /// The member answerable for what this caller creates (tokens,
    /// invitations): the user, or the member who minted the token.
    pub fn accountable_user(&self) -> Option<&str> {
        match self {
            Principal::User(u) => Some(&u.id),
            Principal::ApiToken { created_by, .. } => created_by.as_deref(),
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        allows(self.role(), permission)
    }

    pub fn require(&self, permission: Permission) -> Result<(), Problem> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(Problem::forbidden(format!(
                "The {} role does not have the {} permission.",
                self.role().as_str(),
                permission.as_str()
            )))
        }
    }
}

pub const SESSION_PREFIX: &str = "bts";
pub const API_TOKEN_PREFIX: &str = "bta";

fn unauthorized(detail: &str) -> Problem {
    Problem::unauthorized(detail)
}

/// The bearer token of an `Authorization` header, if it has one.
pub fn bearer(authorization: Option<&str>) -> Option<&str> {
    let value = authorization?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Resolves the caller from `Authorization: Bearer <session or API token>`.
pub fn authenticate(ctx: &Ctx, authorization: Option<&str>) -> Result<Principal, Problem> {
    let Some(token) = bearer(authorization) else {
        return Err(unauthorized(
            "Sign in: send Authorization: Bearer <session or API token>.",
        ));
    };
    let hash = secrets::hash_secret(token);
    if token.starts_with("bts_") {
        let rows = ctx.db.execute(
            &format!(
                "SELECT s.expires_at, s.revoked_at, {} FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = ? AND u.removed_at IS NULL",
                USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
            ),
            &[hash.into()],
        )?;
        let Some(row) = rows.first() else {
            return Err(unauthorized(
                "The session token is not valid; sign in again.",
            ));
        };
        if row.opt_int("revoked_at").is_some() {
            return Err(unauthorized("The session was signed out; sign in again."));
        }
        if row.int("expires_at") <= ctx.now() {
            return Err(unauthorized("The session has expired; sign in again."));
        }
        return Ok(Principal::User(User::from_row(&row)));
    }
    if token.starts_with("bta_") {
        // A token never outlives its creator's rights: it dies with their
        // membership and acts with the lower of its role and theirs now.
        let rows = ctx.db.execute(
            "SELECT t.id, t.name, t.role, t.last_used_at, t.created_by, u.role AS creator_role, \
             u.removed_at AS creator_removed_at, u.id AS creator_id FROM api_tokens t \
             LEFT JOIN users u ON u.id = t.created_by WHERE t.token_hash = ? AND t.revoked_at IS NULL",
            &[hash.into()],
        )?;
        let Some(row) = rows.first() else {
            return Err(unauthorized("The API token is not valid or was revoked."));
        };
        let mut role = Role::parse(&row.text("role")).unwrap_or(Role::Support);
        if row.opt_text("created_by").is_some() {
            if row.opt_text("creator_id").is_none() || row.opt_int("creator_removed_at").is_some() {
                return Err(unauthorized(
                    "The API token's creator is no longer a member of the team, so the token no longer works.",
                ));
            }
            let creator_role = Role::parse(&row.text("creator_role")).unwrap_or(Role::Support);
            role = role.min(creator_role);
        }
        // Record use at most once a minute: no write per request.
        if row
            .opt_int("last_used_at")
            .is_none_or(|t| ctx.now() - t >= 60)
        {
            ctx.db.execute(
                "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                &[ctx.now().into(), row.text("id").into()],
            )?;
        }
        return Ok(Principal::ApiToken {
            id: row.text("id"),
            name: row.text("name"),
            role,
            created_by: row.opt_text("created_by"),
        });
    }
    Err(unauthorized(
        "The bearer token is not a Baton session or API token.",
    ))
}

pub fn find_user(db: &dyn Db, id: &str) -> Result<Option<User>, Problem> {
    let rows = db.execute(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ? AND removed_at IS NULL"),
        &[id.into()],
    )?;
    Ok(rows.first().map(|r| User::from_row(&r)))
}

pub fn count_owners(db: &dyn Db) -> Result<i64, Problem> {
    let rows = db.execute(
        "SELECT COUNT(*) FROM users WHERE role = 'owner' AND removed_at IS NULL",
        &[],
    )?;
    Ok(rows.scalar().and_then(Value::as_i64).unwrap_or(0))
}

pub fn email_in_use(db: &dyn Db, email: &str) -> Result<bool, Problem> {
    let rows = db.execute(
        "SELECT 1 FROM users WHERE email = ? AND removed_at IS NULL",
        &[email.into()],
    )?;
    Ok(!rows.rows.is_empty())
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
}

pub fn insert_user(ctx: &Ctx, new: &NewUser) -> Result<User, Problem> {
    let hash = secrets::hash_password(new.password, ctx.random_bytes::<16>())
        .map_err(|e| Problem::new(500, format!("Password hashing failed: {e}")))?;
    let id = crate::ids::new_id(ctx);
    ctx.db.execute(
        "INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[
            id.clone().into(),
            new.email.into(),
            new.name.into(),
            new.role.as_str().into(),
            hash.into(),
            ctx.now().into(),
            ctx.now().into(),
        ],
    )?;
    find_user(ctx.db, &id)?.ok_or_else(|| Problem::new(500, "The new user could not be read back."))
}

/// Creates a session; returns the `{token, expires_at, user}` body.
pub fn new_session(ctx: &Ctx, user: &User) -> Result<Json, Problem> {
    let token = secrets::new_secret(SESSION_PREFIX, ctx.random_bytes::<32>());
    let expires_at = ctx.now() + ctx.settings.session_ttl_seconds;
    ctx.db.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        &[
            secrets::hash_secret(&token).into(),
            user.id.clone().into(),
            ctx.now().into(),
            expires_at.into(),
        ],
    )?;
    Ok(json!({"token": token, "expires_at": rfc3339(expires_at), "user": user.to_json()}))
}

pub fn revoke_sessions_of(db: &dyn Db, user_id: &str, now: i64) -> Result<(), Problem> {
    db.execute(
        "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        &[now.into(), user_id.into()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }
}
