//! Baton's built-in triage AI. Pure, deterministic functions with no I/O:
//! given a chat transcript it decides whether to hand off to a human,
//! extracts the customer's details, and prepares an Assist (summary,
//! priority, category, tags, sentiment, reason and a suggested reply). Every
//! judgement carries a confidence and the factors that decided it.
//!
//! Optional LLM back ends (a later issue) plug in behind [`Engine`]; their
//! output is validated and the built-in result stands on any failure.

mod compose;
mod decide;
pub mod extract;
pub mod features;
mod judge;
pub mod model;
mod scan;
pub mod text;

pub use compose::{Refinement, refine};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Customer,
    Assistant,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub text: String,
}

impl Message {
    pub fn customer(text: &str) -> Message {
        Message {
            role: Role::Customer,
            text: text.into(),
        }
    }
    pub fn assistant(text: &str) -> Message {
        Message {
            role: Role::Assistant,
            text: text.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Billing,
    Refund,
    Technical,
    AccountLogin,
    OrderShipping,
    Sales,
    Cancellation,
    Feedback,
    General,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Billing,
        Category::Refund,
        Category::Technical,
        Category::AccountLogin,
        Category::OrderShipping,
        Category::Sales,
        Category::Cancellation,
        Category::Feedback,
        Category::General,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Category::Billing => "billing",
            Category::Refund => "refund",
            Category::Technical => "technical",
            Category::AccountLogin => "account_login",
            Category::OrderShipping => "order_shipping",
            Category::Sales => "sales",
            Category::Cancellation => "cancellation",
            Category::Feedback => "feedback",
            Category::General => "general",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.slug() == s)
    }

    /// What the customer wants, as a noun phrase for summaries.
    pub fn topic(self) -> &'static str {
        match self {
            Category::Billing => "a billing problem",
            Category::Refund => "a refund",
            Category::Technical => "a technical problem",
            Category::AccountLogin => "access to their account",
            Category::OrderShipping => "an order and its delivery",
            Category::Sales => "buying or pricing",
            Category::Cancellation => "cancelling",
            Category::Feedback => "feedback on their experience",
            Category::General => "a general question",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Medium,
    High,
    Urgent,
}

impl Priority {
    pub fn slug(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        [
            Priority::Low,
            Priority::Medium,
            Priority::High,
            Priority::Urgent,
        ]
        .into_iter()
        .find(|p| p.slug() == s)
    }

    pub fn rank(self) -> i32 {
        self as i32
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
    Frustrated,
}

impl Sentiment {
    pub fn slug(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Neutral => "neutral",
            Sentiment::Negative => "negative",
            Sentiment::Frustrated => "frustrated",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerKind {
    /// The customer asked for a person.
    Phrase,
    /// The chat AI's own confidence fell under the bot's threshold.
    LowConfidence,
    Frustration,
    /// Legal threat, security problem or safety issue.
    Sensitive,
}

impl TriggerKind {
    pub fn slug(self) -> &'static str {
        match self {
            TriggerKind::Phrase => "phrase",
            TriggerKind::LowConfidence => "low_confidence",
            TriggerKind::Frustration => "frustration",
            TriggerKind::Sensitive => "sensitive",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub kind: TriggerKind,
    /// The words that triggered it, as the customer wrote them.
    pub phrase: Option<String>,
    /// For sensitive topics: `legal`, `security` or `safety`.
    pub topic: Option<&'static str>,
}

/// A judgement with how sure it is and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored<T> {
    pub value: T,
    pub confidence: f32,
    pub factors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub name: String,
    pub confidence: f32,
    pub factors: Vec<String>,
}

/// The bot's settings that steer decisions.
#[derive(Debug, Clone)]
pub struct BotSettings {
    pub trigger_phrases: Vec<String>,
    pub threshold: f64,
    pub team_name: String,
}

impl Default for BotSettings {
    fn default() -> Self {
        BotSettings {
            trigger_phrases: [
                "live agent",
                "talk to a person",
                "customer service",
                "real person",
                "human",
            ]
            .map(String::from)
            .to_vec(),
            threshold: 0.6,
            team_name: "Support".into(),
        }
    }
}

/// What the widget already knows about the customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Known {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The customer's earlier Assists (by email).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub previous: u32,
    pub open: u32,
}

pub struct Input<'a> {
    pub messages: &'a [Message],
    pub ai_confidence: Option<f64>,
    pub known: &'a Known,
    pub history: &'a History,
    pub bot: &'a BotSettings,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub escalate: bool,
    pub confidence: f32,
    pub trigger: Option<Trigger>,
    /// One plain sentence.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub decision: Decision,
    /// `name` and/or `email` when missing or invalid.
    pub missing: Vec<&'static str>,
    /// What the widget can show to collect or confirm the details.
    pub prompt: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Details {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub order_numbers: Vec<String>,
    pub identifiers: Vec<extract::Identifier>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub summary: String,
    pub details: Details,
    pub category: Scored<Category>,
    pub priority: Scored<Priority>,
    pub sentiment: Scored<Sentiment>,
    pub tags: Vec<Tag>,
    pub decision: Decision,
    pub suggested_reply: String,
    /// Which engine produced this (`built-in` here).
    pub source: &'static str,
}

/// An analysis engine. The built-in one is always available; others (an
/// LLM through Spin's `llm` interface or an OpenAI-compatible endpoint) are
/// validated against it and fall back to it.
pub trait Engine {
    fn analyse(&self, input: &Input) -> Analysis;
}

pub struct BuiltIn;

impl Engine for BuiltIn {
    fn analyse(&self, input: &Input) -> Analysis {
        analyse(input)
    }
}

/// Whether to hand off now, and which details are still needed.
pub fn check(input: &Input) -> Check {
    let scanned = scan::scan(input.messages);
    let decision = decide::decide(&scanned, input.ai_confidence, input.bot);
    let details = details(&scanned, input.known);
    let (missing, prompt) = compose::collect_prompt(&decision, &details, input.known, input.bot);
    Check {
        decision,
        missing,
        prompt,
    }
}

/// The full analysis for a new Assist.
pub fn analyse(input: &Input) -> Analysis {
    let scanned = scan::scan(input.messages);
    let decision = decide::decide(&scanned, input.ai_confidence, input.bot);
    let details = details(&scanned, input.known);
    let judged = judge::judge(&scanned, input.history, &decision);
    let summary = compose::summary(&scanned, &details, &judged.category, &decision);
    let suggested_reply = compose::reply(
        &details,
        judged.category.value,
        &scanned,
        &input.bot.team_name,
        0,
    );
    Analysis {
        summary,
        details,
        category: judged.category,
        priority: judged.priority,
        sentiment: judged.sentiment,
        tags: judged.tags,
        decision,
        suggested_reply,
        source: "built-in",
    }
}

/// A suggested reply for the conversation; `variant` picks among equivalent
/// wordings, so "regenerate" gives a different text.
pub fn suggested_reply(input: &Input, variant: usize) -> String {
    let scanned = scan::scan(input.messages);
    let decision = decide::decide(&scanned, input.ai_confidence, input.bot);
    let details = details(&scanned, input.known);
    let judged = judge::judge(&scanned, input.history, &decision);
    compose::reply(
        &details,
        judged.category.value,
        &scanned,
        &input.bot.team_name,
        variant,
    )
}

fn details(scanned: &[scan::Scanned], known: &Known) -> Details {
    let customer: Vec<&str> = scanned
        .iter()
        .filter(|m| m.role == Role::Customer)
        .map(|m| m.text)
        .collect();
    let mut d = Details::default();
    // An answer to "what's your order number?" is an order number.
    let mut asked_for_order = false;
    for m in scanned {
        if m.role == Role::Assistant {
            let lower = m.text.to_lowercase();
            asked_for_order = lower.contains("order")
                && (lower.contains("number") || lower.contains("order #") || lower.contains(" id"));
            continue;
        }
        if asked_for_order
            && extract::identifiers(m.text).0.is_empty()
            && let Some(id) = extract::answered_id(m.text)
            && !d.order_numbers.contains(&id)
        {
            d.order_numbers.push(id);
        }
        asked_for_order = false;
    }
    for text in &customer {
        for e in extract::emails(text) {
            if !d.emails.contains(&e) {
                d.emails.push(e);
            }
        }
        let (orders, ids) = extract::identifiers(text);
        for o in orders {
            if !d.order_numbers.contains(&o) {
                d.order_numbers.push(o);
            }
        }
        for id in ids {
            if !d.identifiers.contains(&id) {
                d.identifiers.push(id);
            }
        }
    }
    let mut exclude: Vec<String> = d.order_numbers.clone();
    exclude.extend(d.identifiers.iter().map(|i| i.value.clone()));
    for text in &customer {
        for p in extract::phones(text, &exclude) {
            if !d.phones.contains(&p) {
                d.phones.push(p);
            }
        }
    }
    d.name = known
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| extract::name(&customer));
    d.email = known
        .email
        .as_ref()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| extract::emails(e).len() == 1)
        .or_else(|| d.emails.first().cloned());
    d.phone = known
        .phone
        .clone()
        .filter(|p| !p.trim().is_empty())
        .or_else(|| d.phones.first().cloned());
    d
}

#[cfg(test)]
mod tests;
