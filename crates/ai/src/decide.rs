//! The hand-off decision. Precedence when several apply: a sensitive topic,
//! then an explicit request for a person, then frustration, then the chat
//! AI's low confidence. Only the customer's words count.

use crate::scan::{Scanned, indexes, quote};
use crate::text::{is_shouting, phrase_at, stems_of};
use crate::{BotSettings, Decision, Role, Trigger, TriggerKind};

/// Words that, with "human"/"person"/"agent", are not a request for one.
const NOT_A_REQUEST_AFTER: &[&str] = &[
    "error",
    "resources",
    "rights",
    "nature",
    "being's",
    "who",
    "that",
    "at",
    "was",
    "is",
    "in",
];

/// Frustration points needed to hand off on frustration alone.
const FRUSTRATION_HANDOFF: f32 = 2.0;
const SENSITIVE_HANDOFF: f32 = 2.5;

pub fn decide(scanned: &[Scanned], ai_confidence: Option<f64>, bot: &BotSettings) -> Decision {
    let customer: Vec<&Scanned> = scanned
        .iter()
        .filter(|m| m.role == Role::Customer)
        .collect();
    if let Some((topic, phrase, points)) = sensitive(&customer)
        && points >= SENSITIVE_HANDOFF
    {
        let what = match topic {
            "legal" => "a legal threat",
            "security" => "a possible security problem",
            _ => "a safety issue",
        };
        return Decision {
            escalate: true,
            confidence: (0.6 + points / 10.0).min(0.97),
            reason: format!(
                "The customer raised {what} (\u{201c}{phrase}\u{201d}), which needs a person."
            ),
            trigger: Some(Trigger {
                kind: TriggerKind::Sensitive,
                phrase: Some(phrase),
                topic: Some(topic),
            }),
        };
    }
    if let Some((phrase, exact)) = human_request(&customer, bot) {
        return Decision {
            escalate: true,
            confidence: if exact { 0.95 } else { 0.8 },
            reason: format!("The customer asked to talk to a person (\u{201c}{phrase}\u{201d})."),
            trigger: Some(Trigger {
                kind: TriggerKind::Phrase,
                phrase: Some(phrase),
                topic: None,
            }),
        };
    }
    let (points, evidence) = frustration(&customer);
    if points >= FRUSTRATION_HANDOFF {
        return Decision {
            escalate: true,
            confidence: (0.5 + points / 12.0).min(0.95),
            reason: format!(
                "The customer is frustrated ({}), so a person should take over.",
                evidence.join(", ")
            ),
            trigger: Some(Trigger {
                kind: TriggerKind::Frustration,
                phrase: evidence.first().cloned(),
                topic: None,
            }),
        };
    }
    if let Some(c) = ai_confidence
        && c < bot.threshold
    {
        return Decision {
            escalate: true,
            confidence: ((bot.threshold - c) / bot.threshold.max(0.01) * 0.5 + 0.5).min(0.95)
                as f32,
            reason: format!(
                "The chat AI was not confident in its answer ({c:.2}, below the bot's threshold of {:.2}).",
                bot.threshold
            ),
            trigger: Some(Trigger {
                kind: TriggerKind::LowConfidence,
                phrase: None,
                topic: None,
            }),
        };
    }
    let confidence = match ai_confidence {
        Some(c) => (0.5 + (c - bot.threshold).max(0.0) as f32).min(0.9),
        None => (0.9 - points / 10.0).max(0.55),
    };
    Decision {
        escalate: false,
        confidence,
        trigger: None,
        reason: "The chat AI is handling the conversation; nothing calls for a person yet.".into(),
    }
}

/// The strongest sensitive topic: (topic, phrase as written, points).
pub fn sensitive(customer: &[&Scanned]) -> Option<(&'static str, String, f32)> {
    let idx = indexes();
    let mut best: Option<(&'static str, String, f32)> = None;
    let mut totals: Vec<(&'static str, f32)> = Vec::new();
    for m in customer {
        for (at, stems, (topic, weight)) in idx.sensitive.find(&m.tokens) {
            if negated(&m.tokens, at) || (topic == "legal" && is_profession(&m.tokens, at)) {
                continue;
            }
            match totals.iter_mut().find(|(t, _)| *t == topic) {
                Some((_, w)) => *w += weight,
                None => totals.push((topic, weight)),
            }
            let total = totals
                .iter()
                .find(|(t, _)| *t == topic)
                .map_or(weight, |(_, w)| *w);
            if best.as_ref().is_none_or(|(_, _, b)| total > *b) {
                best = Some((topic, quote(&m.tokens, at, stems.len()), total));
            }
        }
    }
    best
}

/// "I'm a lawyer", "as an attorney": a job, not a threat.
fn is_profession(tokens: &[crate::text::Token], at: usize) -> bool {
    let before: Vec<&str> = tokens[at.saturating_sub(2)..at]
        .iter()
        .map(|t| t.lower.as_str())
        .collect();
    matches!(
        before.as_slice(),
        ["i'm", "a" | "an"] | ["am", "a" | "an"] | ["as", "a" | "an"] | [_, "as"]
    )
}

fn negated(tokens: &[crate::text::Token], at: usize) -> bool {
    tokens[at.saturating_sub(3)..at]
        .iter()
        .any(|t| ["not", "no", "never", "don't", "won't", "without"].contains(&t.lower.as_str()))
}

/// An explicit request for a person: (phrase as written, exact match?).
fn human_request(customer: &[&Scanned], bot: &BotSettings) -> Option<(String, bool)> {
    let idx = indexes();
    let bot_phrases: Vec<Vec<String>> = bot
        .trigger_phrases
        .iter()
        .map(|p| stems_of(p))
        .filter(|p| !p.is_empty())
        .collect();
    // Recent messages first: the latest request is the one that matters.
    for m in customer.iter().rev() {
        let t = &m.tokens;
        for i in 0..t.len() {
            for fuzzy in [false, true] {
                let found = bot_phrases
                    .iter()
                    .find_map(|p| request_at(t, i, p, fuzzy))
                    .or_else(|| idx.human.iter().find_map(|p| request_at(t, i, p, fuzzy)));
                if let Some(phrase) = found {
                    return Some((phrase, !fuzzy));
                }
            }
        }
    }
    None
}

/// The phrase as written if `phrase` at `t[i..]` is a request for a person.
fn request_at<S: AsRef<str>>(
    t: &[crate::text::Token],
    i: usize,
    phrase: &[S],
    fuzzy: bool,
) -> Option<String> {
    if !phrase_at(t, i, phrase, fuzzy) {
        return None;
    }
    let first = phrase[0].as_ref();
    // A lone word ("human", "agent", "person") counts only as a request.
    if phrase.len() == 1 && !single_word_is_request(t, i) {
        return None;
    }
    if phrase.len() == 2 && first == "a" && !single_word_is_request(t, i + 1) {
        return None;
    }
    // "your customer service is awful" names a team, it does not ask for one.
    let verbless = ![
        "talk", "speak", "chat", "connect", "transfer", "get", "want", "need",
    ]
    .contains(&first);
    let next = t.get(i + phrase.len()).map(|n| n.lower.as_str());
    if verbless
        && next.is_some_and(|n| {
            [
                "is", "was", "are", "were", "sucks", "has", "have", "team", "said", "told",
            ]
            .contains(&n)
        })
    {
        return None;
    }
    Some(quote(t, i, phrase.len()))
}

fn single_word_is_request(t: &[crate::text::Token], i: usize) -> bool {
    let next = t.get(i + 1).map(|n| n.lower.as_str());
    if next.is_some_and(|n| NOT_A_REQUEST_AFTER.contains(&n)) {
        return false;
    }
    if t.len() <= 4 {
        return true;
    }
    let before: Vec<&str> = t[i.saturating_sub(5)..i]
        .iter()
        .map(|x| x.lower.as_str())
        .collect();
    let verbs = [
        "talk", "speak", "chat", "connect", "transfer", "get", "want", "need", "give", "is",
        "there", "reach", "contact", "with", "to", "pass",
    ];
    before.iter().any(|w| verbs.contains(w)) || next == Some("please") || next == Some("now")
}

/// Frustration points and the evidence, from the customer's messages.
pub fn frustration(customer: &[&Scanned]) -> (f32, Vec<String>) {
    let idx = indexes();
    let mut points = 0.0;
    let mut evidence: Vec<String> = Vec::new();
    for m in customer {
        for (at, stems, weight) in idx.frustration.find(&m.tokens) {
            if negated(&m.tokens, at) && weight < 2.0 {
                continue;
            }
            points += weight;
            let q = quote(&m.tokens, at, stems.len());
            if !evidence.contains(&q) {
                evidence.push(q);
            }
        }
        if is_shouting(m.text) {
            points += 1.5;
            evidence.push("writing in capitals".into());
        }
        let bangs = m.text.matches("!!").count() + m.text.matches("?!").count();
        if bangs > 0 {
            points += 0.5 * bangs.min(3) as f32;
            if !evidence.iter().any(|e| e == "repeated exclamation marks") {
                evidence.push("repeated exclamation marks".into());
            }
        }
        for emoji in ['😡', '🤬', '😤', '👎', '🙄', '😠'] {
            if m.text.contains(emoji) {
                points += 1.0;
                evidence.push(format!("{emoji}"));
            }
        }
    }
    (points, evidence)
}
