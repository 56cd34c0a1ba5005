//! Telephony glue over Spin's outbound HTTP: serving a provider's webhook
//! (answer first, then fetch a transcript the event only points at),
//! registering a line's webhook at the provider, and renewing RingCentral
//! subscriptions. The rules are in `baton_core::voice`.

use crate::{Stores, respond, send_http, settings};
use baton_core::api::Response as CoreResponse;
use baton_core::env::Ctx;
use baton_core::problem::Problem;
use baton_core::voice::{self, FollowUpJob, Line, NewLine};
use baton_providers::http::HttpRequest;
use baton_providers::voice::{self as wire, ApiError, FollowUpKind, Provider, RegisteredWebhook};
use serde_json::{Value as Json, json};
use spin_sdk::http::{IncomingRequest, Request, ResponseOutparam};

/// A provider's webhook component: `/hooks/voice/<provider>/<line id>`.
pub async fn serve_webhook(req: IncomingRequest, out: ResponseOutparam, provider: Provider) {
    let Some((request, stores, out)) = crate::accept(req, out).await else {
        return;
    };
    let segments: Vec<String> = request
        .path()
        .trim_matches('/')
        .split('/')
        .map(String::from)
        .collect();
    let line_id = match segments.as_slice() {
        [hooks, v, p, id] if hooks == "hooks" && v == "voice" && p == provider.as_str() => {
            id.clone()
        }
        _ => {
            return respond(
                out,
                CoreResponse::problem(&Problem::not_found(request.path())),
            )
            .await;
        }
    };
    let mut job: Option<FollowUpJob> = None;
    let response = {
        let ctx = stores.request_ctx(&request);
        let method = request.method().to_string();
        let core_req = crate::core_request(&request, &method);
        let (res, follow) = voice::receive(&ctx, provider.as_str(), &line_id, &core_req);
        job = follow.or(job);
        res
    };
    respond(out, response).await;
    if let Some(job) = job {
        follow_up(&stores, &job).await;
    }
}

/// Fetches a transcript an event pointed at and fills it in.
async fn follow_up(stores: &Stores, job: &FollowUpJob) {
    let ctx = stores.ctx(None, settings());
    let line = match voice::load_line(&ctx, &job.line_id) {
        Ok(Some(l)) => l,
        _ => return,
    };
    let base = voice::api_base(&ctx, line.provider);
    let result = fetch_transcript(&ctx, &line, &base, job).await;
    let ctx = stores.ctx(None, settings());
    let outcome = match result {
        Ok(Some(text)) => voice::apply_fetched_transcript(&ctx, &job.line_id, &job.call_id, &text),
        Ok(None) => Ok(()),
        Err(why) => voice::note_fetch_failure(&ctx, &job.line_id, &job.call_id, &why),
    };
    if let Err(p) = outcome {
        eprintln!(
            "voice: could not store the transcript of {}: {}",
            job.call_id, p.detail
        );
    }
}

async fn fetch(req: HttpRequest) -> Result<baton_providers::http::HttpResponse, String> {
    send_http(req)
        .await
        .map_err(|e| format!("could not reach the provider: {e}"))
}

fn api_error(e: ApiError) -> String {
    format!("{e:?}")
}

async fn fetch_transcript(
    ctx: &Ctx<'_>,
    line: &Line,
    base: &str,
    job: &FollowUpJob,
) -> Result<Option<String>, String> {
    let f = &job.follow_up;
    match line.provider {
        Provider::Aircall => {
            let resp = fetch(wire::aircall::follow_up_request(
                f,
                line.credential("api_id"),
                line.credential("api_token"),
            ))
            .await?;
            wire::aircall::parse_follow_up(&resp).map_err(api_error)
        }
        Provider::Quo => {
            let resp = fetch(wire::quo::follow_up_request(f, line.credential("api_key"))).await?;
            wire::quo::parse_follow_up(&resp).map_err(api_error)
        }
        Provider::Vonage => {
            let jti = crate::new_nonce();
            let jwt = wire::vonage::application_jwt(
                line.credential("private_key"),
                line.credential("application_id"),
                ctx.now(),
                &jti,
            )
            .map_err(|e| format!("the line's private key cannot sign: {}", e.0))?;
            let resp = fetch(wire::vonage::follow_up_request(f, &jwt)).await?;
            wire::vonage::parse_follow_up(&resp).map_err(api_error)
        }
        Provider::RingCentral => {
            let token = ringcentral_token(line, base).await?;
            let resp = fetch(wire::ringcentral::follow_up_request(f, &token)).await?;
            match f.what {
                FollowUpKind::Transcript => {
                    wire::ringcentral::parse_transcript(&resp).map_err(api_error)
                }
                FollowUpKind::Message => {
                    let message =
                        wire::ringcentral::parse_message(&resp, base).map_err(api_error)?;
                    let (true, Some(url)) =
                        (message.transcript_ready(), message.transcript_url.clone())
                    else {
                        return Ok(None);
                    };
                    let t = wire::FollowUp {
                        what: FollowUpKind::Transcript,
                        url,
                    };
                    let resp = fetch(wire::ringcentral::follow_up_request(&t, &token)).await?;
                    wire::ringcentral::parse_transcript(&resp).map_err(api_error)
                }
            }
        }
        Provider::Twilio | Provider::Dialpad => Ok(None),
    }
}

async fn ringcentral_token(line: &Line, base: &str) -> Result<String, String> {
    let req = wire::ringcentral::token_request(
        base,
        line.credential("client_id"),
        line.credential("client_secret"),
        line.credential("jwt"),
    );
    let resp = fetch(req).await?;
    wire::ringcentral::parse_token(&resp)
        .map(|t| t.access_token)
        .map_err(api_error)
}

fn api_problem(provider: Provider, e: &ApiError) -> Problem {
    let name = provider.as_str();
    match e {
        ApiError::BadCredentials(m) => Problem::field(
            "credentials",
            format!("{name} refused these credentials: {m}"),
        ),
        ApiError::MissingPermission(m) => Problem::field(
            "credentials",
            format!("{name} accepted these credentials but they lack a permission: {m}"),
        ),
        ApiError::RateLimited { retry_after_secs } => {
            let wait = retry_after_secs.unwrap_or(60) as i64;
            Problem::too_many(
                wait,
                format!("{name} is rate limiting; try again in {wait} seconds."),
            )
        }
        other => Problem::new(
            502,
            format!("{name} did not accept the webhook registration: {other:?}"),
        ),
    }
}

fn registration_json(r: &RegisteredWebhook, extra: Json) -> Json {
    let mut v = json!({"webhook_id": r.id, "expires_at": r.expires_at_unix});
    if let (Some(m), Some(x)) = (v.as_object_mut(), extra.as_object()) {
        m.extend(x.clone());
    }
    v
}

/// Registers the line's webhook where the provider allows; returns the
/// webhook secret to store and what registration left there.
async fn register(
    ctx: &Ctx<'_>,
    new: &NewLine,
    line_id: &str,
) -> Result<(Option<String>, Json), Problem> {
    let url = voice::webhook_url(ctx, new.provider, line_id);
    let base = voice::api_base(ctx, new.provider);
    let cred = |k: &str| {
        new.credentials
            .get(k)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let unreachable = |e: String| {
        Problem::new(
            502,
            format!("Could not reach {}: {e}", new.provider.as_str()),
        )
    };
    let p = new.provider;
    match p {
        Provider::Twilio | Provider::Vonage => Ok((None, json!({}))),
        Provider::Aircall => {
            let req = wire::aircall::create_webhook_request(
                &base,
                &cred("api_id"),
                &cred("api_token"),
                &url,
                "Baton",
            );
            let resp = send_http(req).await.map_err(unreachable)?;
            let reg = wire::aircall::parse_create_webhook(&resp).map_err(|e| api_problem(p, &e))?;
            Ok((reg.secret.clone(), registration_json(&reg, json!({}))))
        }
        Provider::Quo => {
            let req = wire::quo::create_webhook_request(&base, &cred("api_key"), &url, "Baton");
            let resp = send_http(req).await.map_err(unreachable)?;
            let reg = wire::quo::parse_create_webhook(&resp).map_err(|e| api_problem(p, &e))?;
            Ok((
                reg.secret.clone().or_else(|| {
                    new.credentials
                        .get("signing_key")
                        .and_then(Json::as_str)
                        .map(String::from)
                }),
                registration_json(&reg, json!({})),
            ))
        }
        Provider::Dialpad => {
            let secret = crate::new_nonce();
            let req = wire::dialpad::create_webhook_request(&base, &cred("api_key"), &url, &secret);
            let resp = send_http(req).await.map_err(unreachable)?;
            let reg = wire::dialpad::parse_create_webhook(&resp).map_err(|e| api_problem(p, &e))?;
            let target = wire::dialpad::TargetType::parse(&cred("target_type"))
                .unwrap_or(wire::dialpad::TargetType::User);
            let req = wire::dialpad::create_call_subscription_request(
                &base,
                &cred("api_key"),
                &reg.id,
                target,
                &cred("target_id"),
            );
            let resp = send_http(req).await.map_err(unreachable)?;
            let sub = wire::dialpad::parse_create_call_subscription(&resp)
                .map_err(|e| api_problem(p, &e))?;
            Ok((
                Some(secret),
                registration_json(&reg, json!({"subscription_id": sub})),
            ))
        }
        Provider::RingCentral => {
            let token_req = wire::ringcentral::token_request(
                &base,
                &cred("client_id"),
                &cred("client_secret"),
                &cred("jwt"),
            );
            let resp = send_http(token_req).await.map_err(unreachable)?;
            let token = wire::ringcentral::parse_token(&resp).map_err(|e| api_problem(p, &e))?;
            let verification = crate::new_nonce();
            let req = wire::ringcentral::create_subscription_request(
                &base,
                &token.access_token,
                &url,
                &verification,
            );
            let resp = send_http(req).await.map_err(unreachable)?;
            let sub =
                wire::ringcentral::parse_subscription(&resp).map_err(|e| api_problem(p, &e))?;
            Ok((
                Some(verification),
                json!({"subscription_id": sub.id, "expires_at": sub.expires_at_unix}),
            ))
        }
    }
}

/// Removes what registration left at the provider (webhook or
/// subscription). Twilio and Vonage numbers point at Baton from the
/// provider's console, so there is nothing Baton can remove there.
async fn deregister(line: &Line, base: &str) -> Result<Option<String>, String> {
    let reg = |k: &str| {
        line.registration
            .get(k)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match line.provider {
        Provider::Twilio | Provider::Vonage => Ok(Some(format!(
            "Point the number's webhook in the {} console elsewhere; Baton no longer answers it.",
            line.provider.as_str()
        ))),
        Provider::Aircall => {
            let req = wire::aircall::delete_webhook_request(
                base,
                line.credential("api_id"),
                line.credential("api_token"),
                &reg("webhook_id"),
            );
            wire::aircall::parse_delete_webhook(&fetch(req).await?).map_err(api_error)?;
            Ok(None)
        }
        Provider::Dialpad => {
            let req = wire::dialpad::delete_webhook_request(
                base,
                line.credential("api_key"),
                &reg("webhook_id"),
            );
            wire::dialpad::parse_delete(&fetch(req).await?).map_err(api_error)?;
            Ok(None)
        }
        Provider::Quo => {
            let req = wire::quo::delete_webhook_request(
                base,
                line.credential("api_key"),
                &reg("webhook_id"),
            );
            wire::quo::parse_delete(&fetch(req).await?).map_err(api_error)?;
            Ok(None)
        }
        Provider::RingCentral => {
            let token = ringcentral_token(line, base).await?;
            let req = wire::ringcentral::delete_subscription_request(
                base,
                &token,
                &reg("subscription_id"),
            );
            wire::ringcentral::parse_delete(&fetch(req).await?).map_err(api_error)?;
            Ok(None)
        }
    }
}

/// Renews one RingCentral line's subscription; a failure shows as a
/// warning on the line (with the reason) until a renewal succeeds.
pub async fn renew(stores: &Stores, line_id: &str) -> Result<Json, Problem> {
    let ctx = stores.ctx(None, settings());
    let line = voice::load_line(&ctx, line_id)?.ok_or_else(|| Problem::missing("That line"))?;
    if line.provider != Provider::RingCentral {
        return Err(Problem::conflict(
            "Only RingCentral lines have a subscription to renew.",
        ));
    }
    let base = voice::api_base(&ctx, line.provider);
    let sub_id = line
        .registration
        .get("subscription_id")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    let result = async {
        let token = ringcentral_token(&line, &base).await?;
        let resp = fetch(wire::ringcentral::renew_request(&base, &token, &sub_id)).await?;
        wire::ringcentral::parse_subscription(&resp).map_err(api_error)
    }
    .await;
    let ctx = stores.ctx(None, settings());
    match result {
        Ok(sub) => {
            voice::record_registration(
                &ctx,
                line_id,
                &json!({"subscription_id": sub.id, "expires_at": sub.expires_at_unix}),
                "active",
                None,
            )?;
        }
        Err(why) => {
            let mut reg = line.registration.clone();
            reg["renewal_failed_at"] = json!(ctx.now());
            voice::record_registration(
                &ctx,
                line_id,
                &reg,
                "warning",
                Some(&format!(
                    "The subscription could not be renewed: {why}. Renew it by hand, or connect the line again."
                )),
            )?;
        }
    }
    voice::get_json(&ctx, line_id)
}

/// The lines API component: `/v1/integrations/voice/lines[/{id}[/renew]]`
/// and `POST /v1/integrations/voice/renewals` (renew what is due).
pub async fn serve_lines(req: IncomingRequest, out: ResponseOutparam) {
    let Some((request, stores, out)) = crate::accept(req, out).await else {
        return;
    };
    let res = lines(&stores, &request)
        .await
        .unwrap_or_else(|p| CoreResponse::problem(&p));
    respond(out, res).await;
    // Opportunistic renewal after any lines call: subscriptions never
    // lapse while someone uses the settings.
    let ctx = stores.ctx(None, settings());
    if let Ok(due) = voice::lines_to_renew(&ctx) {
        for id in due {
            let _ = renew(&stores, &id).await;
        }
    }
}

async fn lines(stores: &Stores, request: &Request) -> Result<CoreResponse, Problem> {
    let segments: Vec<String> = request
        .path()
        .trim_matches('/')
        .split('/')
        .map(String::from)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = request.method().to_string();
    let ctx = stores.request_ctx(request);
    let core_req = crate::core_request(request, &method);
    baton_core::accounts::authenticate(&ctx, core_req.authorization())?
        .require(baton_core::permissions::Permission::ManageIntegrations)?;
    let body = || -> Result<Json, Problem> {
        serde_json::from_slice(request.body())
            .map_err(|e| Problem::bad_request(format!("The body is not JSON: {e}")))
    };
    match (method.as_str(), &segments[..]) {
        ("GET", ["v1", "integrations", "voice", "lines"]) => {
            Ok(CoreResponse::json(200, &voice::list_json(&ctx)?))
        }
        ("POST", ["v1", "integrations", "voice", "lines"]) => {
            let new = voice::validate_new(&body()?)?;
            ctx.settings.keyring()?;
            let id = baton_core::ids::new_id(&ctx);
            let (secret, registration) = register(&ctx, &new, &id).await?;
            let ctx = stores.request_ctx(request);
            let line = voice::insert_line(
                &ctx,
                &id,
                &new,
                secret.as_deref(),
                &registration,
                "active",
                None,
            )?;
            Ok(CoreResponse::json(201, &line))
        }
        ("GET", ["v1", "integrations", "voice", "lines", id]) => {
            Ok(CoreResponse::json(200, &voice::get_json(&ctx, id)?))
        }
        ("PATCH", ["v1", "integrations", "voice", "lines", id]) => {
            Ok(CoreResponse::json(200, &voice::patch(&ctx, id, &body()?)?))
        }
        ("DELETE", ["v1", "integrations", "voice", "lines", id]) => {
            let line = voice::load_line(&ctx, id)?.ok_or_else(|| Problem::missing("That line"))?;
            let base = voice::api_base(&ctx, line.provider);
            // Best effort: the line goes either way; the answer says when
            // the provider kept its webhook.
            let deregistered = deregister(&line, &base).await;
            voice::delete(&ctx, id)?;
            Ok(CoreResponse::json(
                200,
                &match deregistered {
                    Ok(None) => json!({"deleted": true, "webhook": "removed"}),
                    Ok(Some(note)) => {
                        json!({"deleted": true, "webhook": "set_in_console", "note": note})
                    }
                    Err(why) => json!({
                        "deleted": true,
                        "webhook": "left_at_provider",
                        "note": format!("The line is deleted, but its webhook could not be removed at {}: {why}. Remove it in the provider's console.", line.provider.as_str()),
                    }),
                },
            ))
        }
        ("POST", ["v1", "integrations", "voice", "lines", id, "renew"]) => {
            Ok(CoreResponse::json(200, &renew(stores, id).await?))
        }
        ("POST", ["v1", "integrations", "voice", "renewals"]) => {
            let due = voice::lines_to_renew(&ctx)?;
            let mut renewed = Vec::new();
            for id in &due {
                renewed.push(renew(stores, id).await?);
            }
            Ok(CoreResponse::json(200, &json!({"renewed": renewed})))
        }
        (_, ["v1", "integrations", "voice", ..]) if segments.len() <= 6 => {
            Err(Problem::method_not_allowed(&method, request.path()))
        }
        _ => Err(Problem::not_found(request.path())),
    }
}
