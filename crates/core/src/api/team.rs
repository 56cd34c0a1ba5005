//! The team: members, roles, availability and invitations.

use super::{Handled, Request, Response};
use crate::accounts::{self, NewUser, Principal, USER_COLUMNS, User};
use crate::db::transaction;
use crate::env::Ctx;
use crate::permissions::{Permission, Role};
use crate::problem::Problem;
use crate::secrets;
use crate::time::rfc3339;
use crate::validate::{Errors, MAX_NAME_CHARS, parse_body};
use serde::Deserialize;
use serde_json::json;

pub const INVITATION_TTL_SECONDS: i64 = 7 * 24 * 3600;
const INVITATION_PREFIX: &str = "inv";

fn parse_role(e: &mut Errors, field: &str, value: Option<String>) -> Option<Role> {
    let value = value?;
    let role = Role::parse(&value);
    if role.is_none() {
        e.add(
            field,
            format!("{value:?} is not one of owner, admin, manager, support"),
        );
    }
    role
}

/// Owners and Admins are made, unmade and removed only by an Owner.
fn require_for_role(who: &Principal, role: Role) -> Result<(), Problem> {
    who.require(Permission::ManageTeam)?;
    if role.is_privileged() {
        who.require(Permission::ManageOwnersAndAdmins)?;
    }
    Ok(())
}

pub fn list(ctx: &Ctx, req: &Request) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageWorkload)?;
    let rows = ctx.db.execute(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE removed_at IS NULL ORDER BY name COLLATE NOCASE, id"),
        &[],
    )?;
    let members: Vec<_> = rows.iter().map(|r| User::from_row(&r).to_json()).collect();
    Ok(Response::json(200, &json!({"members": members})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    email: Option<String>,
    name: Option<String>,
    role: Option<String>,
}

pub fn invite(ctx: &Ctx, req: &Request) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageTeam)?;
    let body: InviteBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let email = e.required("email", body.email);
    let email = e.email("email", email);
    let name = e.required("name", body.name);
    let name = e.name("name", name, MAX_NAME_CHARS);
    let role = e.required("role", body.role);
    let role = parse_role(&mut e, "role", role);
    e.finish()?;
    let (Some(email), Some(name), Some(role)) = (email, name, role) else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    require_for_role(&who, role)?;
    let token = secrets::new_secret(INVITATION_PREFIX, ctx.random_bytes::<32>());
    let id = crate::ids::new_id(ctx);
    let expires_at = ctx.now() + INVITATION_TTL_SECONDS;
    let accept_url = format!(
        "{}/accept-invitation?token={token}",
        ctx.settings.public_url.trim_end_matches('/')
    );
    let inviter = match &who {
        Principal::User(u) => u.name.clone(),
        Principal::ApiToken { name, .. } => name.clone(),
    };
    let emailed = transaction(ctx.db, || {
        if accounts::email_in_use(ctx.db, &email)? {
            return Err(Problem::conflict(format!(
                "{email} is already a member of the team."
            )));
        }
        // A new invitation replaces any pending one for the same address.
        ctx.db.execute(
            "UPDATE invitations SET revoked_at = ? WHERE email = ? AND accepted_at IS NULL AND revoked_at IS NULL",
            &[ctx.now().into(), email.clone().into()],
        )?;
        ctx.db.execute(
            "INSERT INTO invitations (id, email, name, role, token_hash, invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                id.clone().into(),
                email.clone().into(),
                name.clone().into(),
                role.as_str().into(),
                secrets::hash_secret(&token).into(),
                who.accountable_user().map(String::from).into(),
                ctx.now().into(),
                expires_at.into(),
            ],
        )?;
        // Emailed when some bot can send; the link is shown to copy anyway.
        crate::email::queue_invitation(ctx, &email, &name, &inviter, &accept_url)
    })?;
    Ok(Response::json(
        201,
        &json!({
            "id": id, "email": email, "name": name, "role": role.as_str(),
            "created_at": rfc3339(ctx.now()), "expires_at": rfc3339(expires_at),
            "accept_url": accept_url, "token": token, "emailed": emailed,
        }),
    ))
}

pub fn list_invitations(ctx: &Ctx, req: &Request) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageTeam)?;
    let rows = ctx.db.execute(
        "SELECT id, email, name, role, created_at, expires_at FROM invitations \
         WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at, id",
        &[ctx.now().into()],
    )?;
    let list: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.text("id"), "email": r.text("email"), "name": r.text("name"),
                "role": r.text("role"), "created_at": rfc3339(r.int("created_at")),
                "expires_at": rfc3339(r.int("expires_at")),
            })
        })
        .collect();
    Ok(Response::json(200, &json!({"invitations": list})))
}

pub fn revoke_invitation(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageTeam)?;
    let rows = ctx.db.execute(
        "UPDATE invitations SET revoked_at = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id",
        &[ctx.now().into(), id.into()],
    )?;
    if rows.rows.is_empty() {
        return Err(Problem::missing("That pending invitation"));
    }
    Ok(Response::no_content())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    password: Option<String>,
}

pub fn accept(ctx: &Ctx, req: &Request, token: &str) -> Handled {
    let body: AcceptBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let password = e.required("password", body.password);
    e.finish()?;
    let Some(password) = password else {
        return Err(Problem::new(500, "validated fields missing"));
    };
    let rows = ctx.db.execute(
        "SELECT i.id, i.email, i.name, i.role, i.expires_at, i.invited_by, u.id AS inviter_id, u.role AS inviter_role, \
         u.removed_at AS inviter_removed_at FROM invitations i LEFT JOIN users u ON u.id = i.invited_by \
         WHERE i.token_hash = ? AND i.accepted_at IS NULL AND i.revoked_at IS NULL",
        &[secrets::hash_secret(token).into()],
    )?;
    let Some(inv) = rows.first() else {
        return Err(Problem::missing(
            "That invitation (it may have been used or withdrawn)",
        ));
    };
    if inv.int("expires_at") <= ctx.now() {
        return Err(Problem::new(
            410,
            "The invitation has expired; ask for a new one.",
        ));
    }
    let role = Role::parse(&inv.text("role")).unwrap_or(Role::Support);
    if inv.opt_text("invited_by").is_some() && !inviter_still_may_invite(&inv, role) {
        return Err(Problem::new(
            410,
            "The person who sent this invitation can no longer invite to this role; ask for a new one.",
        ));
    }
    let email = inv.text("email");
    secrets::check_password(&password, &email).map_err(|why| Problem::field("password", why))?;
    let (id, name) = (inv.text("id"), inv.text("name"));
    let session = transaction(ctx.db, || {
        // Re-check inside the transaction: one acceptance per invitation.
        let claimed = ctx.db.execute(
            "UPDATE invitations SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id",
            &[ctx.now().into(), id.clone().into()],
        )?;
        if claimed.rows.is_empty() {
            return Err(Problem::missing(
                "That invitation (it may have been used or withdrawn)",
            ));
        }
        if accounts::email_in_use(ctx.db, &email)? {
            return Err(Problem::conflict(format!(
                "{email} is already a member of the team."
            )));
        }
        let user = accounts::insert_user(
            ctx,
            &NewUser {
                email: &email,
                name: &name,
                role,
                password: &password,
            },
        )?;
        accounts::new_session(ctx, &user)
    })?;
    Ok(Response::json(201, &session))
}

/// An invitation is only as good as its sender's rights today: a removed
/// or demoted inviter's invitations stop working.
fn inviter_still_may_invite(inv: &crate::db::Row, role: Role) -> bool {
    if inv.opt_text("inviter_id").is_none() || inv.opt_int("inviter_removed_at").is_some() {
        return false;
    }
    let inviter_role = Role::parse(&inv.text("inviter_role")).unwrap_or(Role::Support);
    crate::permissions::allows(inviter_role, Permission::ManageTeam)
        && (!role.is_privileged()
            || crate::permissions::allows(inviter_role, Permission::ManageOwnersAndAdmins))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    name: Option<String>,
    role: Option<String>,
    availability: Option<String>,
    can_set_own_availability: Option<bool>,
}

pub fn update(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    let body: UpdateBody = parse_body(req.body)?;
    let mut e = Errors::default();
    let name = e.name("name", body.name, MAX_NAME_CHARS);
    let role = parse_role(&mut e, "role", body.role);
    let availability = body.availability.and_then(|a| {
        if a == "available" || a == "offline" {
            Some(a)
        } else {
            e.add(
                "availability",
                format!("{a:?} is not one of available, offline"),
            );
            None
        }
    });
    e.finish()?;
    let user = transaction(ctx.db, || {
        let Some(target) = accounts::find_user(ctx.db, id)? else {
            return Err(Problem::missing("That team member"));
        };
        let is_self = who.user_id() == Some(target.id.as_str());
        if name.is_some() && !is_self {
            require_for_role(&who, target.role)?;
        }
        if availability.is_some() {
            if !is_self {
                who.require(Permission::ManageWorkload)?;
            } else if !who.can(Permission::ManageWorkload) {
                who.require(Permission::SetOwnAvailability)?;
                if !target.can_set_own_availability {
                    return Err(Problem::forbidden(
                        "An Owner or Admin has turned off setting your own availability.",
                    ));
                }
            }
        }
        if body.can_set_own_availability.is_some() {
            require_for_role(&who, target.role)?;
        }
        if let Some(new_role) = role
            && new_role != target.role
        {
            require_for_role(&who, target.role)?;
            require_for_role(&who, new_role)?;
            if target.role == Role::Owner && accounts::count_owners(ctx.db)? <= 1 {
                return Err(Problem::conflict(
                    "This is the last Owner; make someone else an Owner first.",
                ));
            }
        }
        ctx.db.execute(
            "UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role), availability = COALESCE(?, availability), \
             can_set_own_availability = COALESCE(?, can_set_own_availability), updated_at = ? WHERE id = ?",
            &[
                name.clone().into(),
                role.map(|r| r.as_str()).into(),
                availability.clone().into(),
                body.can_set_own_availability.into(),
                ctx.now().into(),
                target.id.clone().into(),
            ],
        )?;
        accounts::find_user(ctx.db, &target.id)?
            .ok_or_else(|| Problem::new(500, "The member could not be read back."))
    })?;
    Ok(Response::json(200, &json!({"user": user.to_json()})))
}

pub fn remove(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageTeam)?;
    transaction(ctx.db, || {
        let Some(target) = accounts::find_user(ctx.db, id)? else {
            return Err(Problem::missing("That team member"));
        };
        require_for_role(&who, target.role)?;
        if target.role == Role::Owner && accounts::count_owners(ctx.db)? <= 1 {
            return Err(Problem::conflict("The last Owner cannot be removed."));
        }
        ctx.db.execute(
            "UPDATE users SET removed_at = ?, updated_at = ? WHERE id = ?",
            &[ctx.now().into(), ctx.now().into(), target.id.clone().into()],
        )?;
        accounts::revoke_sessions_of(ctx.db, &target.id, ctx.now())
    })?;
    Ok(Response::no_content())
}

/// An Owner or Admin resets a member's password: a single-use link, valid
/// an hour, emailed to the member when some bot can send and returned to
/// hand over otherwise. The member's current password keeps working until
/// the link is used.
pub fn reset_member_password(ctx: &Ctx, req: &Request, id: &str) -> Handled {
    let who = accounts::authenticate(ctx, req.authorization())?;
    who.require(Permission::ManageTeam)?;
    let (link, emailed) = transaction(ctx.db, || {
        let Some(target) = accounts::find_user(ctx.db, id)? else {
            return Err(Problem::missing("That team member"));
        };
        require_for_role(&who, target.role)?;
        let link = super::session::new_reset_link(ctx, &target.id)?;
        let emailed = crate::email::queue_password_reset(ctx, &target.email, &target.name, &link)?;
        Ok((link, emailed))
    })?;
    Ok(Response::json(
        201,
        &json!({"reset_url": link, "emailed": emailed, "expires_in_seconds": super::session::RESET_TTL_SECONDS}),
    ))
}
