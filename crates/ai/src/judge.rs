//! Category, priority, sentiment and tags, each with a confidence and the
//! factors that decided it.

use crate::decide::frustration;
use crate::scan::{Scanned, indexes, quote};
use crate::{Category, Decision, History, Priority, Role, Scored, Sentiment, Tag, TriggerKind};

pub struct Judged {
    pub category: Scored<Category>,
    pub priority: Scored<Priority>,
    pub sentiment: Scored<Sentiment>,
    pub tags: Vec<Tag>,
}

pub fn judge(scanned: &[Scanned], history: &History, decision: &Decision) -> Judged {
    let customer: Vec<&Scanned> = scanned
        .iter()
        .filter(|m| m.role == Role::Customer)
        .collect();
    let (category, ranking) = category(scanned);
    let sentiment = sentiment(&customer);
    let priority = priority(&customer, category.value, &sentiment, history, decision);
    let tags = tags(&customer, &ranking, decision, history);
    Judged {
        category,
        priority,
        sentiment,
        tags,
    }
}

/// Scores every category; the customer's first messages weigh most.
fn category(scanned: &[Scanned]) -> (Scored<Category>, Vec<(Category, f32)>) {
    let idx = indexes();
    let mut scores: Vec<(Category, f32)> = Category::ALL.iter().map(|c| (*c, 0.0)).collect();
    let mut evidence: Vec<(Category, String, f32)> = Vec::new();
    let mut customer_seen = 0;
    let mut seen: Vec<&[&str]> = Vec::new();
    for m in scanned {
        let weight = match m.role {
            Role::Assistant => 0.25,
            Role::Customer => {
                customer_seen += 1;
                if customer_seen <= 2 { 1.5 } else { 1.0 }
            }
        };
        for (at, stems, (cat, w)) in idx.category.find(&m.tokens) {
            // A word said again adds little: breadth of evidence counts more.
            let repeats = seen.iter().filter(|s| **s == stems).count();
            seen.push(stems);
            let mut points = w * weight * if repeats == 0 { 1.0 } else { 0.3 };
            // "I cancelled in March and you still charged me" tells history,
            // it does not ask to cancel.
            if cat == Category::Cancellation && m.tokens[at].lower.ends_with("ed") {
                points *= 0.3;
            }
            if let Some(s) = scores.iter_mut().find(|(c, _)| *c == cat) {
                s.1 += points;
            }
            if m.role == Role::Customer {
                evidence.push((cat, quote(&m.tokens, at, stems.len()), points));
            }
        }
    }
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (top, top_score) = scores[0];
    if top_score < 1.0 {
        return (
            Scored {
                value: Category::General,
                confidence: 0.4,
                factors: vec!["no topic words found".into()],
            },
            scores,
        );
    }
    let second = scores[1].1;
    let confidence = (0.5 + 0.5 * (top_score - second) / top_score).clamp(0.35, 0.97);
    let mut words: Vec<(String, f32)> = Vec::new();
    for (_, q, p) in evidence.into_iter().filter(|(c, _, _)| *c == top) {
        match words.iter_mut().find(|(w, _)| *w == q) {
            Some(w) => w.1 += p,
            None => words.push((q, p)),
        }
    }
    words.sort_by(|a, b| b.1.total_cmp(&a.1));
    let factors = words
        .into_iter()
        .take(4)
        .map(|(w, _)| format!("mentions \u{201c}{w}\u{201d}"))
        .collect();
    (
        Scored {
            value: top,
            confidence,
            factors,
        },
        scores,
    )
}

pub(crate) fn sentiment(customer: &[&Scanned]) -> Scored<Sentiment> {
    let idx = indexes();
    let (frus, frus_evidence) = frustration(customer);
    let mut pos = 0.0f32;
    let mut neg = 0.0f32;
    let mut pos_words = Vec::new();
    let mut neg_words = Vec::new();
    for m in customer {
        for (at, stems, w) in idx.positive.find(&m.tokens) {
            if !["not", "no", "never"].contains(&m.tokens[at.saturating_sub(1)].lower.as_str())
                || at == 0
            {
                pos += w;
                pos_words.push(quote(&m.tokens, at, stems.len()));
            }
        }
        for (at, stems, ()) in idx.negative.find(&m.tokens) {
            neg += 0.5;
            neg_words.push(quote(&m.tokens, at, stems.len()));
        }
        for e in ['🙂', '😊', '😀', '😍', '👍', '❤', '🙏', '😄', '🎉'] {
            if m.text.contains(e) {
                pos += 1.0;
                pos_words.push(e.to_string());
            }
        }
        for e in ['😞', '😢', '😕', '☹', '😟', '😔'] {
            if m.text.contains(e) {
                neg += 1.0;
                neg_words.push(e.to_string());
            }
        }
    }
    let pick = |v: &Vec<String>| {
        v.iter()
            .take(3)
            .map(|w| format!("\u{201c}{w}\u{201d}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (value, confidence, factors) = if frus >= 2.0 {
        (
            Sentiment::Frustrated,
            (0.55 + frus / 12.0).min(0.95),
            vec![format!(
                "frustration: {}",
                frus_evidence
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        )
    } else if pos >= 1.5 && pos > neg {
        (
            Sentiment::Positive,
            (0.5 + (pos - neg) / 6.0).min(0.9),
            vec![format!("positive words: {}", pick(&pos_words))],
        )
    } else if neg >= 1.0 || frus >= 1.0 {
        let mut f = vec![format!("negative words: {}", pick(&neg_words))];
        if frus > 0.0 {
            f.push(format!("some frustration: {}", frus_evidence.join(", ")));
        }
        (
            Sentiment::Negative,
            (0.5 + (neg + frus - pos) / 8.0).clamp(0.45, 0.85),
            f,
        )
    } else {
        (
            Sentiment::Neutral,
            0.6,
            vec!["no strong feelings expressed".into()],
        )
    };
    Scored {
        value,
        confidence,
        factors,
    }
}

fn priority(
    customer: &[&Scanned],
    category: Category,
    sentiment: &Scored<Sentiment>,
    history: &History,
    decision: &Decision,
) -> Scored<Priority> {
    let idx = indexes();
    let mut points: Vec<(&'static str, f32, Vec<String>)> = Vec::new();
    for m in customer {
        for (at, stems, (factor, w)) in idx.priority.find(&m.tokens) {
            let q = quote(&m.tokens, at, stems.len());
            match points.iter_mut().find(|(f, _, _)| *f == factor) {
                Some(p) => {
                    p.1 += w;
                    if !p.2.contains(&q) {
                        p.2.push(q);
                    }
                }
                None => points.push((factor, w, vec![q])),
            }
        }
    }
    if let Some(amount) = largest_amount(customer)
        && amount >= 100.0
    {
        points.push((
            "money at stake",
            2.0,
            vec![format!("{amount:.0} in question")],
        ));
    }
    let get = |f: &str| points.iter().find(|(n, _, _)| *n == f).map_or(0.0, |p| p.1);
    let mut factors: Vec<String> = Vec::new();
    let note = |f: &str| -> Option<String> {
        points
            .iter()
            .find(|(n, _, _)| *n == f)
            .map(|(name, _, words)| {
                format!(
                    "{name}: {}",
                    words
                        .iter()
                        .take(3)
                        .map(|w| format!("\u{201c}{w}\u{201d}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    };
    let problem_points =
        get("customer blocked") + get("money at stake") + get("outage") + get("repeated contact");
    // "why did my bill go up?", "when will my refund show?": a question
    // about something, with nothing reported broken, is low.
    let question = customer
        .first()
        .is_some_and(|m| idx.questions.find(&m.tokens).any(|(at, _, ())| at < 4))
        && problem_points < 1.5
        && sentiment.value != Sentiment::Frustrated;
    let negative_words: usize = customer
        .iter()
        .map(|m| idx.negative.find(&m.tokens).count())
        .sum();
    // Requests that always need someone to act start at medium; problems
    // start at medium when something is actually wrong; the rest is low.
    let (mut level, why_base) = match category {
        Category::Refund | Category::Cancellation => (
            Priority::Medium,
            format!("{} requests need action", category.slug()),
        ),
        Category::Billing
        | Category::Technical
        | Category::AccountLogin
        | Category::OrderShipping
            if !question
                && (problem_points >= 1.0
                    || negative_words >= 1
                    || sentiment.value == Sentiment::Negative) =>
        {
            (Priority::Medium, "a problem that needs action".to_string())
        }
        Category::Billing
        | Category::Technical
        | Category::AccountLogin
        | Category::OrderShipping => (
            Priority::Low,
            "a question with no problem reported".to_string(),
        ),
        _ => (
            Priority::Low,
            format!("{} requests start low", category.slug()),
        ),
    };
    factors.push(why_base);
    let raise = |l: Priority| match l {
        Priority::Low => Priority::Medium,
        Priority::Medium => Priority::High,
        _ => l,
    };
    if get("customer blocked") >= 1.5 && level < Priority::High {
        level = Priority::High;
        factors.extend(note("customer blocked"));
    }
    if get("money at stake") >= 2.0 && level < Priority::High {
        level = Priority::High;
        factors.extend(note("money at stake"));
    }
    if get("repeated contact") >= 2.0 || history.open > 0 {
        level = raise(level);
        factors.extend(note("repeated contact"));
        if history.open > 0 {
            factors.push(format!(
                "the customer already has {} open Assist(s)",
                history.open
            ));
        }
    }
    // Leaving a paid plan, membership or account is a customer at risk.
    let paid = customer.iter().any(|m| {
        m.tokens.iter().any(|t| {
            [
                "subscription",
                "plan",
                "membership",
                "account",
                "renewal",
                "premium",
                "pro",
            ]
            .contains(&t.stem.as_str())
        })
    });
    if category == Category::Cancellation && paid && level < Priority::High {
        level = Priority::High;
        factors.push("a paying customer wants to leave".into());
    }
    if sentiment.value == Sentiment::Frustrated && level < Priority::High {
        level = Priority::High;
        factors.push("the customer is frustrated".into());
    }
    if get("churn risk") >= 1.0
        && category == Category::Cancellation
        && level < Priority::High
        && sentiment.value != Sentiment::Neutral
    {
        level = Priority::High;
        factors.extend(note("churn risk"));
    }
    if get("urgency words") >= 1.5 && level >= Priority::Medium {
        level = raise(level);
        factors.extend(note("urgency words"));
    }
    // While the chat AI is handling it and nothing serious is reported, an
    // ordinary question or small problem stays low.
    if !decision.escalate
        && level == Priority::Medium
        && !matches!(category, Category::Refund | Category::Cancellation)
        && problem_points < 2.0
        && sentiment.value != Sentiment::Frustrated
    {
        level = Priority::Low;
        factors.push("no hand-off trigger and nothing serious reported".into());
    }
    // A hand-off by an unhappy customer with a real problem is pressing.
    let unhappy = matches!(sentiment.value, Sentiment::Negative | Sentiment::Frustrated);
    let pressing = matches!(
        decision.trigger.as_ref().map(|t| t.kind),
        Some(TriggerKind::Phrase | TriggerKind::Frustration)
    );
    if pressing && unhappy && level == Priority::Medium {
        level = Priority::High;
        factors.push("an unhappy customer asked for a person".into());
    }
    let sensitive = decision
        .trigger
        .as_ref()
        .filter(|t| t.kind == TriggerKind::Sensitive);
    if get("outage") >= 2.5 {
        level = Priority::Urgent;
        factors.extend(note("outage"));
    }
    if let Some(t) = sensitive {
        level = Priority::Urgent;
        factors.push(format!(
            "sensitive topic ({})",
            t.topic.unwrap_or("sensitive")
        ));
    }
    let strength = problem_points + get("urgency words");
    let confidence = match level {
        Priority::Urgent => 0.85,
        Priority::High => (0.6 + strength / 15.0).min(0.9),
        Priority::Medium => 0.6,
        Priority::Low => 0.65,
    };
    Scored {
        value: level,
        confidence,
        factors,
    }
}

/// The largest money amount the customer mentions ("$300", "1,188.00 EUR", "2k").
fn largest_amount(customer: &[&Scanned]) -> Option<f64> {
    let mut best: Option<f64> = None;
    for m in customer {
        let chars: Vec<char> = m.text.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if !c.is_ascii_digit()
                || (i > 0
                    && (chars[i - 1].is_ascii_digit()
                        || chars[i - 1] == ','
                        || chars[i - 1] == '.'))
            {
                continue;
            }
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || ((chars[j] == ',' || chars[j] == '.')
                        && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
            {
                j += 1;
            }
            let number: String = chars[i..j].iter().filter(|c| **c != ',').collect();
            let Ok(mut value) = number.parse::<f64>() else {
                continue;
            };
            let before = if i > 0 { chars[i - 1] } else { ' ' };
            let after: String = chars[j..(j + 8).min(chars.len())]
                .iter()
                .collect::<String>()
                .to_lowercase();
            if after.starts_with('k') {
                value *= 1000.0;
            }
            let currency = "$€£¥".contains(before)
                || [
                    "usd", "eur", " usd", " eur", " euro", " dollar", " pound", " gbp", "k worth",
                    " worth",
                ]
                .iter()
                .any(|w| after.starts_with(w));
            if currency {
                best = Some(best.map_or(value, |b: f64| b.max(value)));
            }
        }
    }
    best
}

fn tags(
    customer: &[&Scanned],
    ranking: &[(Category, f32)],
    decision: &Decision,
    history: &History,
) -> Vec<Tag> {
    let idx = indexes();
    let mut tags: Vec<Tag> = Vec::new();
    let mut add = |name: &str, confidence: f32, factor: String| match tags
        .iter_mut()
        .find(|t| t.name == name)
    {
        Some(t) => {
            if !t.factors.contains(&factor) && t.factors.len() < 3 {
                t.factors.push(factor);
            }
        }
        None => tags.push(Tag {
            name: name.into(),
            confidence,
            factors: vec![factor],
        }),
    };
    for m in customer {
        for (at, stems, tag) in idx.tags.find(&m.tokens) {
            add(
                tag,
                0.85,
                format!(
                    "mentions \u{201c}{}\u{201d}",
                    quote(&m.tokens, at, stems.len())
                ),
            );
        }
    }
    if let Some(t) = &decision.trigger {
        let (name, why) = match t.kind {
            TriggerKind::Phrase => (
                "asked-for-human",
                "the customer asked for a person".to_string(),
            ),
            TriggerKind::Frustration => ("frustrated", "frustration in the chat".to_string()),
            TriggerKind::LowConfidence => {
                ("bot-unsure", "the chat AI's confidence was low".to_string())
            }
            TriggerKind::Sensitive => (
                t.topic.unwrap_or("sensitive"),
                "a sensitive topic".to_string(),
            ),
        };
        add(name, decision.confidence, why);
    }
    if history.previous > 0 {
        add(
            "returning-customer",
            0.95,
            format!("{} earlier Assist(s)", history.previous),
        );
    }
    // A second, clearly present topic: "several issues in one chat".
    if let [(_, s1), (second, s2), ..] = ranking
        && *s2 >= 3.0
        && *s2 >= 0.5 * s1
    {
        add(
            &format!("also-{}", second.slug().replace('_', "-")),
            (s2 / s1).min(0.9),
            format!("also about {}", second.topic()),
        );
    }
    tags
}
