//! Baton's built-in triage AI. Pure, deterministic functions with no I/O:
//! given a chat transcript it decides whether to hand off to a human,
//! extracts the customer's details, and prepares an Assist (summary,
//! priority, category, tags, sentiment, reason and a suggested reply). Every
//! judgement carries a confidence and the factors that decided it.
//!
//! Rules decide what must never be missed (safety, legal, security,
//! explicit requests for a person, in seven languages); a compact model
//! trained on a labelled multilingual corpus decides what needs
//! generalisation ([`model`], [`triage`]); a workspace's corrections adjust
//! it ([`learn`]).

mod compose;
mod decide;
pub mod extract;
pub mod features;
mod judge;
pub mod learn;
pub mod model;
pub mod multilingual;
pub mod phrases;
mod scan;
pub mod text;
pub mod triage;

pub use compose::{Refinement, refine, refine_in};
pub use phrases::Lang;

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
        let i = Category::ALL.iter().position(|c| *c == self).unwrap_or(8);
        phrases::phrases(Lang::En).topics[i]
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
    /// The customer's language, in which the summary and reply are written.
    pub language: Scored<phrases::Lang>,
    pub tags: Vec<Tag>,
    pub decision: Decision,
    /// Why, when the chat AI handed off though no trigger was found.
    pub handed_off_reason: String,
    /// Judgements the workspace's own corrections changed.
    pub team_adjusted: Vec<&'static str>,
    /// The summary in the team's language (English) when the customer
    /// writes another; `summary` is in the customer's.
    pub summary_team: Option<String>,
    pub suggested_reply: String,
    /// Which engine produced this (`built-in` here).
    pub source: &'static str,
}

/// The features the learned model reads of a conversation.
pub fn features_of(messages: &[Message]) -> features::Features {
    features::extract(
        messages
            .iter()
            .map(|m| (m.role == Role::Customer, m.text.as_str())),
    )
}

/// What a team's corrections learn on (see [`features::customer_words`]).
pub fn learning_features_of(messages: &[Message]) -> features::Features {
    features::customer_words(
        messages
            .iter()
            .map(|m| (m.role == Role::Customer, m.text.as_str())),
    )
}

/// The model's scores (logits, every judgement) with a team's adjustments.
pub fn scores(messages: &[Message], adjustments: &learn::Adjustments) -> Vec<f32> {
    let mut z = model::Model::embedded().logits(&features_of(messages));
    adjustments.apply(&learning_features_of(messages), &mut z);
    z
}

/// Whether to hand off now, and which details are still needed.
pub fn check(input: &Input) -> Check {
    let (scanned, _, _, decision) =
        decide_for(input, &learn::Adjustments::default(), &triage::TUNING);
    let details = details(&scanned, input.known);
    let (missing, prompt) = compose::collect_prompt(&decision, &details, input.known, input.bot);
    Check {
        decision,
        missing,
        prompt,
    }
}

/// The conversation scanned once, the model's view, the rule hits and the
/// hand-off decision: what both a check and an analysis start from.
fn decide_for<'a>(
    input: &'a Input,
    adjustments: &learn::Adjustments,
    tuning: &triage::Tuning,
) -> (
    Vec<scan::Scanned<'a>>,
    triage::Learned,
    Vec<multilingual::RuleHit>,
    Decision,
) {
    let scanned = scan::scan(input.messages);
    let learned = triage::learned(
        &features_of(input.messages),
        &learning_features_of(input.messages),
        adjustments,
    );
    let hits = triage::rule_hits(&scanned);
    let decision = triage::decide(
        &scanned,
        input.ai_confidence,
        input.bot,
        &hits,
        &learned,
        tuning,
    );
    (scanned, learned, hits, decision)
}

/// The full analysis for a new Assist, with the built-in model alone.
pub fn analyse(input: &Input) -> Analysis {
    analyse_with(input, &learn::Adjustments::default())
}

/// The full analysis with a workspace's adjustments (its agents' corrections).
pub fn analyse_with(input: &Input, adjustments: &learn::Adjustments) -> Analysis {
    analyse_tuned(input, adjustments, &triage::TUNING)
}

/// The analysis with explicit hand-off thresholds (for tuning on dev).
pub fn analyse_tuned(
    input: &Input,
    adjustments: &learn::Adjustments,
    tuning: &triage::Tuning,
) -> Analysis {
    let (scanned, learned, hits, decision) = decide_for(input, adjustments, tuning);
    let details = details(&scanned, input.known);
    let judged = judge::judge(&scanned, input.history, &decision);
    let safety = triage::safety(&decision, &hits);
    let language = triage::language(&learned);
    let rules_weight = if language.value == phrases::Lang::En {
        tuning.english_rules
    } else {
        0.0
    };
    let category = triage::category(judged.category, &learned, rules_weight);
    let priority = triage::priority(judged.priority, &learned, &decision, safety, rules_weight);
    let sentiment = triage::sentiment(judged.sentiment, &learned, rules_weight);
    let mut tags = judged.tags;
    if safety.is_some() && !tags.iter().any(|t| t.name == "safety") {
        tags.insert(
            0,
            Tag {
                name: "safety".into(),
                confidence: 0.9,
                factors: vec!["physical danger mentioned".into()],
            },
        );
    }
    let mut team_adjusted = Vec::new();
    for (head, name) in [
        (model::Head::Category, "category"),
        (model::Head::Priority, "priority"),
    ] {
        if triage::team_adjusted(head, &learned) {
            team_adjusted.push(name);
        }
    }
    let ctx = compose::Context {
        details: &details,
        category: category.value,
        decision: &decision,
        sentiment: sentiment.value,
        safety,
        scanned: &scanned,
        team: &input.bot.team_name,
    };
    let summary = compose::summary(&ctx, language.value);
    let summary_team =
        (language.value != phrases::Lang::En).then(|| compose::summary(&ctx, phrases::Lang::En));
    let suggested_reply = compose::reply(&ctx, language.value, 0);
    Analysis {
        summary,
        summary_team,
        details,
        category,
        priority,
        sentiment,
        language,
        tags,
        decision,
        handed_off_reason: triage::handed_off_reason(&learned),
        team_adjusted,
        suggested_reply,
        source: "built-in",
    }
}

/// A suggested reply for the conversation in the customer's language;
/// `variant` picks among equivalent wordings, so "regenerate" differs.
pub fn suggested_reply(input: &Input, variant: usize) -> String {
    let a = analyse(input);
    let scanned = scan::scan(input.messages);
    let ctx = compose::Context {
        details: &a.details,
        category: a.category.value,
        decision: &a.decision,
        sentiment: a.sentiment.value,
        safety: a
            .tags
            .iter()
            .any(|t| t.name == "safety")
            .then_some(a.priority.value == Priority::Urgent),
        scanned: &scanned,
        team: &input.bot.team_name,
    };
    compose::reply(&ctx, a.language.value, variant)
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
