//! Help-desk importers' wire formats, sans I/O: Zendesk, Intercom, Freshdesk,
//! HappyFox and Help Scout. A [`Client`] builds each request as an
//! [`HttpRequest`]; the matching `parse_*` method reads the [`HttpResponse`]
//! into common types. The caller sends, stores and decides; nothing here
//! sleeps, retries or remembers.
//!
//! # How an import walks a provider
//!
//! ```text
//! client = Client::new(credentials)?            // .with_origin(fake) in tests
//! if client.needs_token() {                     // Help Scout only
//!     send(client.token_request()) -> client.parse_token(..)? -> client.with_access_token(..)
//! }
//! send(client.check_request()) -> client.check_response(..)?      // on account creation
//! cursor = None (or a stored one, Cursor::decode)
//! loop {
//!     page = client.parse_list(cursor, send(client.list_request(cursor)))?
//!     for ticket in page.tickets {              // page.skipped: malformed ones, reported
//!         let mut h = None;
//!         while !ticket.history_complete {      // one or more calls, per provider
//!             hp = client.parse_history(&ticket, h, send(client.history_request(&ticket, h)))?
//!             h = ticket.absorb(hp);
//!         }
//!     }
//!     cursor = page.next  (None: done)
//! }
//! ```
//!
//! Lists are filtered to open work as each API allows, and the parsers drop
//! anything that is not open work even if the API returned it:
//!
//! | provider | list | open work | paging | history |
//! |---|---|---|---|---|
//! | Zendesk | `GET /api/v2/search/export` | `status<solved` (new, open, pending, hold) | cursor, 100 a page | `comments.json` with sideloaded users, cursor, 100 a page |
//! | Intercom | `POST /conversations/search` | `state IN [open, snoozed]` | `starting_after`, 50 a page | `GET /conversations/{id}` (its 500 latest parts) |
//! | Freshdesk | `GET /api/v2/search/tickets` | `status:2 OR status:3` | page 1–10, 30 a page; past 300 results, `created_at` day windows split in halves | `GET /tickets/{id}?include=requester`, then conversations, 100 a page, `Link` |
//! | HappyFox | `GET /api/1.1/json/tickets/` | `status=_pending`, status behaviour not `completed` | page numbers, 50 a page | embedded `updates`; `GET /ticket/{id}/` if absent |
//! | Help Scout | `GET /v2/conversations` | `status=active`, then `status=pending` | page numbers (25), `_links.next` | `embed=threads`; `GET /conversations/{id}/threads` if absent |
//!
//! Errors come back as [`ProviderError`]: 401 is bad credentials, 403 missing
//! permission, 429 rate limited (with the wait the provider asked for), 5xx a
//! server error worth a short retry. A ticket that cannot be read fails alone
//! ([`Page::skipped`]), never its page; so does a history that answers
//! `Malformed` or `NotFound` (the ticket was deleted meanwhile): skip and
//! report that ticket, carry on with the next.
//!
//! # Resuming
//!
//! Keep the cursor of the page being worked on until every ticket of it is
//! imported or skipped, then move to `page.next`. A run stopped by its time
//! budget or an error resumes from the stored cursor (or from `None`) and
//! skips the tickets it already has (by provider and `provider_id`): pages
//! are walked again, histories are not. Help Scout tokens last two days;
//! exchanging one per run is simplest.

mod freshdesk;
mod happyfox;
mod helpscout;
mod intercom;
pub mod text;
mod wire;
mod zendesk;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::http::{HttpRequest, HttpResponse};

/// The help desks Baton imports from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HelpdeskProvider {
    Zendesk,
    Intercom,
    Freshdesk,
    Happyfox,
    Helpscout,
}

impl HelpdeskProvider {
    pub const ALL: [HelpdeskProvider; 5] = [
        HelpdeskProvider::Zendesk,
        HelpdeskProvider::Intercom,
        HelpdeskProvider::Freshdesk,
        HelpdeskProvider::Happyfox,
        HelpdeskProvider::Helpscout,
    ];

    /// The provider from its API name (`zendesk`, `intercom`, `freshdesk`,
    /// `happyfox`, `helpscout`); case and a `-`/`_`/space in Help Scout's or
    /// HappyFox's name are forgiven.
    pub fn parse(s: &str) -> Option<HelpdeskProvider> {
        let norm: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match norm.as_str() {
            "zendesk" => HelpdeskProvider::Zendesk,
            "intercom" => HelpdeskProvider::Intercom,
            "freshdesk" => HelpdeskProvider::Freshdesk,
            "happyfox" => HelpdeskProvider::Happyfox,
            "helpscout" => HelpdeskProvider::Helpscout,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HelpdeskProvider::Zendesk => "zendesk",
            HelpdeskProvider::Intercom => "intercom",
            HelpdeskProvider::Freshdesk => "freshdesk",
            HelpdeskProvider::Happyfox => "happyfox",
            HelpdeskProvider::Helpscout => "helpscout",
        }
    }

    /// How many tickets one import run takes (issue 8): Freshdesk's search
    /// API reaches 300 per query, the others 200.
    pub fn batch_size(self) -> usize {
        match self {
            HelpdeskProvider::Freshdesk => 300,
            _ => 200,
        }
    }
}

impl fmt::Display for HelpdeskProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What each provider needs to let Baton read its tickets. Secrets here are
/// plain: the caller decrypts them just before building requests.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `subdomain` is `acme` (for acme.zendesk.com) or a full host name.
    Zendesk {
        subdomain: String,
        email: String,
        api_token: String,
    },
    Intercom {
        access_token: String,
    },
    /// `domain` is `acme.freshdesk.com` (or just `acme`).
    Freshdesk {
        domain: String,
        api_key: String,
    },
    /// `subdomain` is `acme` (for acme.happyfox.com) or a full host name
    /// (EU accounts: `acme.happyfox.net`; custom domains).
    Happyfox {
        subdomain: String,
        api_key: String,
        auth_code: String,
    },
    /// An app's id and secret, exchanged for a bearer token
    /// ([`Client::token_request`]).
    Helpscout {
        client_id: String,
        client_secret: String,
    },
}

impl fmt::Debug for Credentials {
    // Secrets never reach logs through Debug.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Zendesk {
                subdomain, email, ..
            } => f
                .debug_struct("Zendesk")
                .field("subdomain", subdomain)
                .field("email", email)
                .finish_non_exhaustive(),
            Credentials::Intercom { .. } => f.debug_struct("Intercom").finish_non_exhaustive(),
            Credentials::Freshdesk { domain, .. } => f
                .debug_struct("Freshdesk")
                .field("domain", domain)
                .finish_non_exhaustive(),
            Credentials::Happyfox { subdomain, .. } => f
                .debug_struct("Happyfox")
                .field("subdomain", subdomain)
                .finish_non_exhaustive(),
            Credentials::Helpscout { client_id, .. } => f
                .debug_struct("Helpscout")
                .field("client_id", client_id)
                .finish_non_exhaustive(),
        }
    }
}

/// A credential field that cannot be used, for a 422 naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl Credentials {
    pub fn provider(&self) -> HelpdeskProvider {
        match self {
            Credentials::Zendesk { .. } => HelpdeskProvider::Zendesk,
            Credentials::Intercom { .. } => HelpdeskProvider::Intercom,
            Credentials::Freshdesk { .. } => HelpdeskProvider::Freshdesk,
            Credentials::Happyfox { .. } => HelpdeskProvider::Happyfox,
            Credentials::Helpscout { .. } => HelpdeskProvider::Helpscout,
        }
    }

    /// Checks the shape of every field; the provider checks the values.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        fn secret(field: &'static str, v: &str) -> Option<FieldError> {
            let message = if v.trim().is_empty() {
                "is required"
            } else if v.len() > 512 || v.chars().any(|c| c.is_control() || c.is_whitespace()) {
                "must be a single token without spaces (at most 512 characters)"
            } else {
                return None;
            };
            Some(FieldError {
                field,
                message: message.into(),
            })
        }
        let mut errors: Vec<FieldError> = match self {
            Credentials::Zendesk {
                email, api_token, ..
            } => {
                let email_error = secret("email", email).or_else(|| {
                    (!email.contains('@')).then(|| FieldError {
                        field: "email",
                        message: "must be the agent's email address".into(),
                    })
                });
                [email_error, secret("api_token", api_token)]
                    .into_iter()
                    .flatten()
                    .collect()
            }
            Credentials::Intercom { access_token } => {
                secret("access_token", access_token).into_iter().collect()
            }
            Credentials::Freshdesk { api_key, .. } => {
                secret("api_key", api_key).into_iter().collect()
            }
            Credentials::Happyfox {
                api_key, auth_code, ..
            } => [secret("api_key", api_key), secret("auth_code", auth_code)]
                .into_iter()
                .flatten()
                .collect(),
            Credentials::Helpscout {
                client_id,
                client_secret,
            } => [
                secret("client_id", client_id),
                secret("client_secret", client_secret),
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        if let Err(e) = self.origin() {
            errors.push(e);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The production origin (`https://host`) the requests go to.
    pub fn origin(&self) -> Result<String, FieldError> {
        match self {
            Credentials::Zendesk { subdomain, .. } => host("subdomain", subdomain, "zendesk.com"),
            Credentials::Intercom { .. } => Ok("https://api.intercom.io".into()),
            Credentials::Freshdesk { domain, .. } => host("domain", domain, "freshdesk.com"),
            Credentials::Happyfox { subdomain, .. } => host("subdomain", subdomain, "happyfox.com"),
            Credentials::Helpscout { .. } => Ok("https://api.helpscout.net".into()),
        }
    }
}

/// `https://{name}.{suffix}` for a bare account name, `https://{name}` for a
/// full host; anything that is not a host name (a scheme, a path, a port,
/// user info) is refused, so a stored account can only reach a host.
fn host(field: &'static str, raw: &str, suffix: &str) -> Result<String, FieldError> {
    let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let err = |message: &str| FieldError {
        field,
        message: message.into(),
    };
    if name.is_empty() {
        return Err(err("is required"));
    }
    if name.len() > 253 {
        return Err(err("is too long"));
    }
    let labels_ok = name.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if !labels_ok {
        return Err(err(&format!(
            "must be an account name (like acme) or a host name (like acme.{suffix}), without https:// or a path"
        )));
    }
    if name.contains('.') {
        Ok(format!("https://{name}"))
    } else {
        Ok(format!("https://{name}.{suffix}"))
    }
}

/// A person on a ticket: the requester, or a message's author.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    /// The provider's id for the person, when it gives one.
    pub id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Person {
    /// Fills the fields this one lacks from `other`.
    fn merge(&mut self, other: Person) {
        if self.id.is_none() {
            self.id = other.id;
        }
        if self.name.is_none() {
            self.name = other.name;
        }
        if self.email.is_none() {
            self.email = other.email;
        }
        if self.phone.is_none() {
            self.phone = other.phone;
        }
    }

    fn is_empty(&self) -> bool {
        self.id.is_none() && self.name.is_none() && self.email.is_none() && self.phone.is_none()
    }
}

/// Who wrote a message, as the transcript keeps them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// From the customer (the requester or another end user).
    Customer,
    /// An agent's reply the customer saw.
    PublicReply,
    /// An internal note the customer never saw.
    PrivateNote,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Customer => "customer",
            MessageKind::PublicReply => "public_reply",
            MessageKind::PrivateNote => "private_note",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMessage {
    /// The provider's id of the message, when it has one.
    pub provider_id: Option<String>,
    pub kind: MessageKind,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    /// Plain text; HTML bodies are converted ([`text::html_to_text`]).
    pub text: String,
    pub created_at_unix: i64,
}

/// An open ticket and, once its history is complete, its whole conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub provider: HelpdeskProvider,
    /// The provider's ticket id: with `provider`, the key that makes an
    /// import idempotent.
    pub provider_id: String,
    pub subject: String,
    /// The provider's own status name (`open`, `pending`, `hold`, `snoozed`,
    /// `active`, a HappyFox status name...).
    pub status: String,
    pub created_at_unix: i64,
    pub updated_at_unix: i64,
    pub requester: Person,
    /// Oldest first.
    pub messages: Vec<TicketMessage>,
    pub tags: Vec<String>,
    /// False until every history page is absorbed ([`Ticket::absorb`]).
    pub history_complete: bool,
}

impl Ticket {
    /// Adds a history page: its messages (kept oldest first), what it says of
    /// the requester; returns the cursor of the next history request, or
    /// `None` when the history is complete.
    pub fn absorb(&mut self, page: HistoryPage) -> Option<Cursor> {
        self.messages.extend(page.messages);
        // Stable: equal times keep the provider's order.
        self.messages.sort_by_key(|m| m.created_at_unix);
        if let Some(r) = page.requester {
            // The history's requester is fuller (a name, an email) than the
            // list's bare id; the list's id stays if the history has none.
            let mut fuller = r;
            fuller.merge(std::mem::take(&mut self.requester));
            self.requester = fuller;
        }
        if self.requester.is_empty()
            && let Some(first) = self
                .messages
                .iter()
                .find(|m| m.kind == MessageKind::Customer)
        {
            self.requester.name = first.author_name.clone();
            self.requester.email = first.author_email.clone();
        }
        self.history_complete = page.next.is_none();
        page.next
    }
}

/// A ticket that could not be read; the rest of its page still imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The provider's ticket id, or `#n` (its position in the page) when the
    /// id itself is unreadable.
    pub id: String,
    pub reason: String,
}

/// One page of the open-ticket list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub tickets: Vec<Ticket>,
    pub skipped: Vec<Skipped>,
    /// The next list request's cursor; `None` when the walk is done.
    pub next: Option<Cursor>,
    /// Open tickets the provider says match, when it says (Zendesk's export
    /// does not; see [`Client::count_request`]).
    pub total_estimate: Option<u64>,
    /// Tickets the API cannot page to: Freshdesk past 300 results within a
    /// single day. Reported, never silently lost.
    pub unreachable: u64,
}

/// One page of a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    pub messages: Vec<TicketMessage>,
    pub requester: Option<Person>,
    pub next: Option<Cursor>,
}

/// Where a walk stands, opaque to callers. It survives a restart as a string
/// ([`Cursor::encode`], [`Cursor::decode`]); Zendesk's cursors expire after
/// an hour, so an import that resumes much later starts over and skips what
/// it already has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(CursorState);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
enum CursorState {
    /// A provider's opaque "after" cursor (Zendesk, Intercom).
    After { after: String },
    /// A page number (HappyFox, Freshdesk conversations, Help Scout threads).
    Page { page: u32 },
    /// Freshdesk search: day windows still to walk (the last is current),
    /// the page within it, and the first query's total.
    Windows {
        windows: Vec<freshdesk::Window>,
        page: u32,
        total: Option<u64>,
    },
    /// Help Scout: which status (0 active, 1 pending), its page, and the
    /// totals of statuses already walked.
    Status { status: u8, page: u32, done: u64 },
}

impl Cursor {
    pub fn encode(&self) -> String {
        // Serialising plain data cannot fail.
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        serde_json::from_str(s).ok().map(Cursor)
    }
}

/// A bearer token from Help Scout's client-credentials exchange.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub token: String,
    /// Seconds it stays valid (Help Scout: two days).
    pub expires_in_secs: Option<u64>,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("expires_in_secs", &self.expires_in_secs)
            .finish_non_exhaustive()
    }
}

/// The rate-limit state a response reports, for pacing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// Seconds until the window resets (Zendesk `ratelimit-reset`).
    pub reset_after_secs: Option<u64>,
    /// When the window resets (Intercom `X-RateLimit-Reset`).
    pub reset_at_unix: Option<i64>,
}

/// Why a provider call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// 401: the credentials are wrong, revoked or expired.
    BadCredentials(String),
    /// 403: the credentials work but may not read tickets.
    MissingPermission(String),
    /// 429: stop and come back later. One of the two is usually known.
    RateLimited {
        retry_after_secs: Option<u64>,
        reset_at_unix: Option<i64>,
    },
    /// 404: the ticket vanished between listing and reading it.
    NotFound(String),
    /// 5xx: worth a short retry, then report.
    Server { status: u16, message: String },
    /// A 2xx body that is not what the API documents.
    Malformed(String),
    /// Any other answer (a 400 or 422 means a request Baton built wrongly).
    Other(String),
}

impl ProviderError {
    /// Seconds to wait before calling again, given the current time.
    pub fn wait_secs(&self, now_unix: i64) -> Option<u64> {
        match self {
            ProviderError::RateLimited {
                retry_after_secs: Some(s),
                ..
            } => Some(*s),
            ProviderError::RateLimited {
                reset_at_unix: Some(at),
                ..
            } => Some(at.saturating_sub(now_unix).max(0) as u64),
            _ => None,
        }
    }

    /// Server errors may pass; everything else repeats if retried now.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ProviderError::Server { .. })
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderError::BadCredentials(m) => write!(f, "credentials refused: {m}"),
            ProviderError::MissingPermission(m) => write!(f, "permission missing: {m}"),
            ProviderError::RateLimited {
                retry_after_secs: Some(s),
                ..
            } => write!(f, "rate limited: retry after {s} s"),
            ProviderError::RateLimited {
                reset_at_unix: Some(at),
                ..
            } => write!(f, "rate limited: retry after unix time {at}"),
            ProviderError::RateLimited { .. } => write!(f, "rate limited"),
            ProviderError::NotFound(m) => write!(f, "not found: {m}"),
            ProviderError::Server { status, message } => {
                write!(f, "server error {status}: {message}")
            }
            ProviderError::Malformed(m) => write!(f, "unexpected response: {m}"),
            ProviderError::Other(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for ProviderError {}

/// Everything needed to call one provider account.
#[derive(Debug, Clone)]
pub struct Client {
    credentials: Credentials,
    origin: String,
    access_token: Option<String>,
}

impl Client {
    /// A client for the provider's production origin; fails on credentials
    /// that cannot form a request.
    pub fn new(credentials: Credentials) -> Result<Client, Vec<FieldError>> {
        credentials.validate()?;
        let origin = credentials.origin().map_err(|e| vec![e])?;
        Ok(Client {
            credentials,
            origin,
            access_token: None,
        })
    }

    /// Points every request at another origin (`http://127.0.0.1:port` for a
    /// fake); paths stay the provider's.
    pub fn with_origin(mut self, origin: &str) -> Client {
        self.origin = origin.trim_end_matches('/').to_string();
        self
    }

    /// The bearer token from [`Client::parse_token`] (Help Scout).
    pub fn with_access_token(mut self, token: impl Into<String>) -> Client {
        self.access_token = Some(token.into());
        self
    }

    pub fn provider(&self) -> HelpdeskProvider {
        self.credentials.provider()
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// True when a token exchange must come first (Help Scout without a
    /// token).
    pub fn needs_token(&self) -> bool {
        matches!(self.credentials, Credentials::Helpscout { .. }) && self.access_token.is_none()
    }

    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.origin, path_and_query)
    }

    pub(crate) fn bearer(&self) -> Option<String> {
        self.access_token.as_ref().map(|t| format!("Bearer {t}"))
    }

    /// The OAuth client-credentials exchange (Help Scout); `None` for
    /// providers that use their credentials directly.
    pub fn token_request(&self) -> Option<HttpRequest> {
        match &self.credentials {
            Credentials::Helpscout {
                client_id,
                client_secret,
            } => Some(helpscout::token_request(self, client_id, client_secret)),
            _ => None,
        }
    }

    pub fn parse_token(&self, resp: &HttpResponse) -> Result<AccessToken, ProviderError> {
        helpscout::parse_token(resp)
    }

    /// The one cheap call that proves the credentials (and, where the
    /// answer says, the permission to read tickets).
    pub fn check_request(&self) -> HttpRequest {
        match self.provider() {
            HelpdeskProvider::Zendesk => zendesk::check_request(self),
            HelpdeskProvider::Intercom => intercom::check_request(self),
            HelpdeskProvider::Freshdesk => freshdesk::check_request(self),
            HelpdeskProvider::Happyfox => happyfox::check_request(self),
            HelpdeskProvider::Helpscout => helpscout::check_request(self),
        }
    }

    pub fn check_response(&self, resp: &HttpResponse) -> Result<(), ProviderError> {
        self.ok(resp)?;
        match self.provider() {
            HelpdeskProvider::Zendesk => zendesk::check_response(resp),
            HelpdeskProvider::Intercom => intercom::check_response(resp),
            HelpdeskProvider::Freshdesk => freshdesk::check_response(resp),
            HelpdeskProvider::Happyfox => happyfox::check_response(resp),
            HelpdeskProvider::Helpscout => helpscout::check_response(resp),
        }
    }

    /// The open-ticket list from `cursor` (`None`: the first page).
    pub fn list_request(&self, cursor: Option<&Cursor>) -> HttpRequest {
        let state = cursor.map(|c| &c.0);
        match self.provider() {
            HelpdeskProvider::Zendesk => zendesk::list_request(self, state),
            HelpdeskProvider::Intercom => intercom::list_request(self, state),
            HelpdeskProvider::Freshdesk => freshdesk::list_request(self, state),
            HelpdeskProvider::Happyfox => happyfox::list_request(self, state),
            HelpdeskProvider::Helpscout => helpscout::list_request(self, state),
        }
    }

    /// Reads the answer to `list_request(cursor)`; pass the same cursor.
    pub fn parse_list(
        &self,
        cursor: Option<&Cursor>,
        resp: &HttpResponse,
    ) -> Result<Page, ProviderError> {
        self.ok(resp)?;
        let state = cursor.map(|c| &c.0);
        match self.provider() {
            HelpdeskProvider::Zendesk => zendesk::parse_list(resp),
            HelpdeskProvider::Intercom => intercom::parse_list(resp),
            HelpdeskProvider::Freshdesk => freshdesk::parse_list(state, resp),
            HelpdeskProvider::Happyfox => happyfox::parse_list(state, resp),
            HelpdeskProvider::Helpscout => helpscout::parse_list(state, resp),
        }
    }

    /// The next piece of a ticket's history (`cursor` from
    /// [`Ticket::absorb`]; `None` first).
    pub fn history_request(&self, ticket: &Ticket, cursor: Option<&Cursor>) -> HttpRequest {
        let state = cursor.map(|c| &c.0);
        let id = &ticket.provider_id;
        match self.provider() {
            HelpdeskProvider::Zendesk => zendesk::history_request(self, id, state),
            HelpdeskProvider::Intercom => intercom::history_request(self, id),
            HelpdeskProvider::Freshdesk => freshdesk::history_request(self, id, state),
            HelpdeskProvider::Happyfox => happyfox::history_request(self, id),
            HelpdeskProvider::Helpscout => helpscout::history_request(self, id, state),
        }
    }

    /// Reads the answer to `history_request(ticket, cursor)`. A history that
    /// cannot be read is `Malformed`: skip and report that ticket alone.
    pub fn parse_history(
        &self,
        ticket: &Ticket,
        cursor: Option<&Cursor>,
        resp: &HttpResponse,
    ) -> Result<HistoryPage, ProviderError> {
        self.ok(resp)?;
        let state = cursor.map(|c| &c.0);
        match self.provider() {
            HelpdeskProvider::Zendesk => zendesk::parse_history(ticket, resp),
            HelpdeskProvider::Intercom => intercom::parse_history(resp),
            HelpdeskProvider::Freshdesk => freshdesk::parse_history(ticket, state, resp),
            HelpdeskProvider::Happyfox => happyfox::parse_history(resp),
            HelpdeskProvider::Helpscout => helpscout::parse_history(state, resp),
        }
    }

    /// A count of open tickets where the list does not carry one (Zendesk's
    /// export); `None` elsewhere.
    pub fn count_request(&self) -> Option<HttpRequest> {
        match self.provider() {
            HelpdeskProvider::Zendesk => Some(zendesk::count_request(self)),
            _ => None,
        }
    }

    pub fn parse_count(&self, resp: &HttpResponse) -> Result<u64, ProviderError> {
        self.ok(resp)?;
        zendesk::parse_count(resp)
    }

    /// The rate-limit headers of any response from this provider.
    pub fn rate_limit(&self, resp: &HttpResponse) -> RateLimit {
        let u = |name: &str| wire::header_u64(resp, name);
        match self.provider() {
            HelpdeskProvider::Zendesk => RateLimit {
                limit: u("ratelimit-limit").or_else(|| u("x-rate-limit")),
                remaining: u("ratelimit-remaining").or_else(|| u("x-rate-limit-remaining")),
                reset_after_secs: u("ratelimit-reset"),
                reset_at_unix: None,
            },
            HelpdeskProvider::Intercom => RateLimit {
                limit: u("x-ratelimit-limit"),
                remaining: u("x-ratelimit-remaining"),
                reset_after_secs: None,
                reset_at_unix: u("x-ratelimit-reset").map(|v| v as i64),
            },
            HelpdeskProvider::Freshdesk => RateLimit {
                limit: u("x-ratelimit-total"),
                remaining: u("x-ratelimit-remaining"),
                ..RateLimit::default()
            },
            // HappyFox documents no rate-limit headers.
            HelpdeskProvider::Happyfox => RateLimit::default(),
            HelpdeskProvider::Helpscout => RateLimit {
                limit: u("x-ratelimit-limit-minute"),
                remaining: u("x-ratelimit-remaining-minute"),
                reset_after_secs: None,
                reset_at_unix: None,
            },
        }
    }

    /// Any non-2xx answer as the error it means.
    fn ok(&self, resp: &HttpResponse) -> Result<(), ProviderError> {
        if (200..300).contains(&resp.status) {
            return Ok(());
        }
        Err(error_for(self.provider(), resp))
    }
}

/// The error a non-2xx answer means, with the provider's own words.
pub fn error_for(provider: HelpdeskProvider, resp: &HttpResponse) -> ProviderError {
    let message = wire::error_message(resp);
    match resp.status {
        401 => ProviderError::BadCredentials(message),
        403 => ProviderError::MissingPermission(message),
        404 => ProviderError::NotFound(message),
        429 => rate_limited(provider, resp),
        s @ 500..=599 => ProviderError::Server { status: s, message },
        s => ProviderError::Other(format!("{provider} answered HTTP {s}: {message}")),
    }
}

fn rate_limited(provider: HelpdeskProvider, resp: &HttpResponse) -> ProviderError {
    // Retry-After is seconds or an HTTP date (RFC 9110).
    let (mut secs, mut at) = match resp.header("retry-after").map(str::trim) {
        Some(v) => match v.parse::<u64>() {
            Ok(s) => (Some(s), None),
            Err(_) => (None, wire::http_date(v)),
        },
        None => (None, None),
    };
    match provider {
        HelpdeskProvider::Intercom if secs.is_none() && at.is_none() => {
            at = wire::header_u64(resp, "x-ratelimit-reset").map(|v| v as i64);
        }
        HelpdeskProvider::Helpscout => {
            if let Some(s) = wire::header_u64(resp, "x-ratelimit-retry-after") {
                secs = Some(s);
            }
        }
        // HappyFox answers 429 for the next ten minutes once a limit is
        // passed, and sends no header saying so.
        HelpdeskProvider::Happyfox if secs.is_none() && at.is_none() => secs = Some(600),
        _ => {}
    }
    ProviderError::RateLimited {
        retry_after_secs: secs,
        reset_at_unix: at,
    }
}

/// Reads each element of a page's ticket array alone, so one bad ticket is
/// skipped with its reason and the rest still import.
fn each_ticket(
    items: &[serde_json::Value],
    id_key: &str,
    mut parse: impl FnMut(&serde_json::Value) -> Result<Option<Ticket>, String>,
) -> (Vec<Ticket>, Vec<Skipped>) {
    let mut tickets = Vec::new();
    let mut skipped = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match parse(item) {
            Ok(Some(t)) => tickets.push(t),
            // Not open work: filtered out, not an error.
            Ok(None) => {}
            Err(reason) => skipped.push(Skipped {
                id: item
                    .get(id_key)
                    .and_then(wire::id)
                    .unwrap_or_else(|| format!("#{i}")),
                reason,
            }),
        }
    }
    (tickets, skipped)
}

/// A required time field, or the reason it is unusable.
fn required_time(
    v: &serde_json::Value,
    key: &str,
    parse: fn(&str) -> Option<i64>,
) -> Result<i64, String> {
    match v.get(key) {
        Some(serde_json::Value::String(s)) => {
            parse(s).ok_or_else(|| format!("{key} is not a valid time: {s:?}"))
        }
        Some(serde_json::Value::Null) | None => Err(format!("{key} is missing")),
        Some(other) => Err(format!("{key} is not a time: {other}")),
    }
}

#[cfg(test)]
mod tests;
