//! The words Baton writes: the summary, the prompt that collects details,
//! the suggested reply and its refinements. Replies are personal (name,
//! order number), specific to the category and honest: they promise only
//! that a person is looking into it, never an outcome.

use crate::scan::{Scanned, indexes};
use crate::{BotSettings, Category, Decision, Details, Known, Role, Scored, TriggerKind};

pub fn collect_prompt(
    decision: &Decision,
    details: &Details,
    known: &Known,
    bot: &BotSettings,
) -> (Vec<&'static str>, String) {
    let name = details.name.clone().filter(|n| !n.trim().is_empty());
    let email_given = known.email.as_ref().or(details.emails.first()).cloned();
    let email_valid = details.email.clone();
    let mut missing = Vec::new();
    if name.is_none() {
        missing.push("name");
    }
    if email_valid.is_none() {
        missing.push("email");
    }
    let team = &bot.team_name;
    let lead = if decision.escalate {
        format!("I'll pass this to our {team} team so a person can help.")
    } else {
        format!("If you'd like, I can pass this to our {team} team.")
    };
    let prompt = match (name.as_deref(), email_valid.as_deref(), missing.as_slice()) {
        (_, _, ["name", "email"]) => match email_given {
            Some(bad) => format!(
                "{lead} What's your name, and an email address we can reach you at? \u{201c}{bad}\u{201d} doesn't look like a valid address."
            ),
            None => format!("{lead} What's your name and the best email address to reach you?"),
        },
        (_, _, ["name"]) => format!("{lead} What name should we use?"),
        (Some(n), _, ["email"]) => match email_given {
            Some(bad) => format!(
                "{lead} Thanks, {}. \u{201c}{bad}\u{201d} doesn't look like a valid email address. Could you check it?",
                first_name(n)
            ),
            None => format!(
                "{lead} Thanks, {}. What's the best email address to reach you?",
                first_name(n)
            ),
        },
        (Some(n), Some(e), _) => {
            format!("{lead} Just to confirm: your name is {n} and we should reply to {e}?")
        }
        _ => lead,
    };
    (missing, prompt)
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

/// The customer's most telling sentence: the one with the most topic words.
fn key_sentence(scanned: &[Scanned]) -> Option<String> {
    let idx = indexes();
    let mut best: Option<(f32, String)> = None;
    for m in scanned.iter().filter(|m| m.role == Role::Customer) {
        for sentence in m
            .text
            .split(['.', '!', '?', '\n'])
            .map(str::trim)
            .filter(|s| s.len() > 12)
        {
            let tokens = crate::text::tokenize(sentence);
            let score: f32 = idx
                .category
                .find(&tokens)
                .map(|(_, _, (_, w))| w)
                .sum::<f32>()
                + idx
                    .priority
                    .find(&tokens)
                    .map(|(_, _, (_, w))| w)
                    .sum::<f32>();
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, sentence.to_string()));
            }
        }
    }
    best.filter(|(s, _)| *s > 0.0).map(|(_, s)| clip(&s, 160))
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(p) => format!("{}…", &cut[..p]),
        None => format!("{cut}…"),
    }
}

/// Two or three plain sentences: who wants what, and what has been tried.
pub fn summary(
    scanned: &[Scanned],
    details: &Details,
    category: &Scored<Category>,
    decision: &Decision,
) -> String {
    let who = match (&details.name, &details.email) {
        (Some(n), Some(e)) => format!("{n} ({e})"),
        (Some(n), None) => n.clone(),
        (None, Some(e)) => format!("A customer ({e})"),
        (None, None) => "A customer".into(),
    };
    let order = match details.order_numbers.as_slice() {
        [] => String::new(),
        [one] => format!(" about order {one}"),
        many => format!(" about orders {}", many.join(", ")),
    };
    let mut out = format!("{who} needs help with {}{order}.", category.value.topic());
    if let Some(s) = key_sentence(scanned) {
        out.push_str(&format!(" They wrote: \u{201c}{s}\u{201d}"));
        if !s.ends_with('…') {
            out.push('.');
        }
    }
    let assistant_turns = scanned.iter().filter(|m| m.role == Role::Assistant).count();
    let tried = match assistant_turns {
        0 => "The chat AI had not answered yet".to_string(),
        1 => "The chat AI replied once".to_string(),
        n => format!("The chat AI replied {n} times"),
    };
    let why = match decision.trigger.as_ref().map(|t| t.kind) {
        Some(TriggerKind::Phrase) => "before the customer asked for a person",
        Some(TriggerKind::Frustration) => "but the customer grew frustrated",
        Some(TriggerKind::Sensitive) => "before a sensitive topic came up",
        Some(TriggerKind::LowConfidence) => "but was not confident in its answer",
        None => "and the conversation was handed over",
    };
    out.push_str(&format!(" {tried} {why}."));
    out
}

/// Category-specific bodies; several variants so "regenerate" differs.
fn bodies(category: Category, order: &str) -> [String; 2] {
    let o = if order.is_empty() {
        String::new()
    } else {
        format!(" for order {order}")
    };
    match category {
        Category::Billing => [
            format!("I'm sorry about the trouble with your billing{o}. I'm reviewing the charges on your account now and will confirm exactly what happened."),
            format!("Thanks for flagging this charge{o}. I'm checking your billing history and will get back to you with what I find and the options we have."),
        ],
        Category::Refund => [
            format!("I understand you'd like a refund{o}. I'm looking at your purchase now and will let you know what we can do and the next steps."),
            format!("Thanks for explaining why you'd like your money back{o}. I'm reviewing the details and will follow up with the options available to you."),
        ],
        Category::Technical => [
            "I'm sorry the product isn't working as it should. I'm looking into the problem you described and will update you as soon as I know more. If you have a screenshot or the exact error message, please send it over.".to_string(),
            "Thanks for the details about this problem. I'm investigating it with our team now and will come back to you with what we find. Any screenshot or error text you can share will help.".to_string(),
        ],
        Category::AccountLogin => [
            "I'm sorry you're having trouble getting into your account. I'm checking it now and will help you regain access safely. For your security, please don't share your password with anyone, including us.".to_string(),
            "Thanks for reaching out about your account access. I'm looking into it and will guide you through getting back in securely. Please never send us your password.".to_string(),
        ],
        Category::OrderShipping => [
            format!("I'm sorry for the trouble with your order{o}. I'm checking its status and delivery details now and will update you with what I find."),
            format!("Thanks for your patience with your order{o}. I'm looking into where it is and will get back to you with an update."),
        ],
        Category::Sales => [
            "Thanks for your interest! I'd be glad to help you find the right option. Could you tell me a little more about what you need, such as team size and timing? I'll follow up with details.".to_string(),
            "Thanks for getting in touch about our plans. I'm happy to walk you through the options that fit your needs and will follow up with the details.".to_string(),
        ],
        Category::Cancellation => [
            format!("I understand you'd like to cancel{o}. I'm looking at your account now and will confirm the next steps and anything that affects you, such as billing dates."),
            format!("Thanks for letting us know you want to cancel{o}. I'm reviewing your account and will follow up to make sure it's handled the way you want."),
        ],
        Category::Feedback => [
            "Thank you for taking the time to share this. I've passed your feedback to the team, and it genuinely helps us improve.".to_string(),
            "Thanks for your feedback, we really appreciate it. I've shared it with the people who work on this.".to_string(),
        ],
        Category::General => [
            "Thanks for your question. I'm looking into it and will get back to you with a clear answer.".to_string(),
            "Thanks for reaching out. I'm checking this for you and will follow up shortly with the information you need.".to_string(),
        ],
    }
}

/// A ready-to-send reply; `variant` picks among equivalent wordings.
pub fn reply(
    details: &Details,
    category: Category,
    _scanned: &[Scanned],
    team: &str,
    variant: usize,
) -> String {
    let greeting = match &details.name {
        Some(n) => format!("Hi {},", first_name(n)),
        None => "Hi there,".to_string(),
    };
    let order = details
        .order_numbers
        .first()
        .map(String::as_str)
        .unwrap_or("");
    let bodies = bodies(category, order);
    let body = &bodies[variant % bodies.len()];
    format!("{greeting}\n\n{body}\n\nBest regards,\nThe {team} team")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refinement {
    Shorter,
    Formal,
    Casual,
}

impl Refinement {
    pub fn parse(s: &str) -> Option<Refinement> {
        match s {
            "shorter" => Some(Refinement::Shorter),
            "formal" => Some(Refinement::Formal),
            "casual" => Some(Refinement::Casual),
            _ => None,
        }
    }
}

const FORMAL: &[(&str, &str)] = &[
    ("It's", "It is"),
    ("We'll", "We will"),
    ("We're", "We are"),
    ("Don't", "Do not"),
    ("You're", "You are"),
    ("That's", "That is"),
    ("Can't", "Cannot"),
    ("Won't", "Will not"),
    ("Isn't", "Is not"),
    ("Let's", "Let us"),
    ("You'll", "You will"),
    ("I'm", "I am"),
    ("I'll", "I will"),
    ("I'd", "I would"),
    ("I've", "I have"),
    ("you're", "you are"),
    ("you'd", "you would"),
    ("don't", "do not"),
    ("doesn't", "does not"),
    ("isn't", "is not"),
    ("can't", "cannot"),
    ("won't", "will not"),
    ("we're", "we are"),
    ("we'll", "we will"),
    ("it's", "it is"),
    ("that's", "that is"),
    ("let's", "let us"),
    ("Thanks", "Thank you"),
    ("thanks", "thank you"),
    ("Hi ", "Dear "),
    ("Hey ", "Dear "),
    ("glad", "pleased"),
    ("get back to you", "respond to you"),
    ("a little", "somewhat"),
    ("ASAP", "as soon as possible"),
];

const CASUAL: &[(&str, &str)] = &[
    ("It is", "It's"),
    ("We will", "We'll"),
    ("We are", "We're"),
    ("Do not", "Don't"),
    ("You are", "You're"),
    ("That is", "That's"),
    ("Will not", "Won't"),
    ("Is not", "Isn't"),
    ("You will", "You'll"),
    ("I am", "I'm"),
    ("I will", "I'll"),
    ("I would", "I'd"),
    ("I have", "I've"),
    ("you are", "you're"),
    ("do not", "don't"),
    ("does not", "doesn't"),
    ("is not", "isn't"),
    ("cannot", "can't"),
    ("will not", "won't"),
    ("we are", "we're"),
    ("we will", "we'll"),
    ("it is", "it's"),
    ("Thank you", "Thanks"),
    ("Dear ", "Hi "),
    ("Best regards,", "Cheers,"),
    ("Kind regards,", "Cheers,"),
    ("Sincerely,", "Cheers,"),
    ("pleased", "glad"),
    ("respond to you", "get back to you"),
    ("as soon as possible", "soon"),
];

fn replace_all(text: &str, table: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (from, to) in table {
        out = out.replace(from, to);
    }
    out
}

/// Rewrites a draft (the suggestion or the agent's own text).
pub fn refine(text: &str, how: Refinement) -> String {
    match how {
        Refinement::Formal => {
            let t = replace_all(text, FORMAL).replace('!', ".");
            t.replace("Best regards,", "Kind regards,")
                .replace("Cheers,", "Kind regards,")
        }
        Refinement::Casual => replace_all(text, CASUAL),
        Refinement::Shorter => shorter(text),
    }
}

/// Keeps the greeting, the sign-off and, from each paragraph of the body,
/// its first sentence and every sentence that carries a fact the agent
/// typed (a number, amount, date, ID, link or address); drops the rest.
fn shorter(text: &str) -> String {
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    let n = paragraphs.len();
    let mut out: Vec<String> = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let is_frame = n >= 3 && (i == 0 || i == n - 1);
        if is_frame {
            out.push(p.to_string());
            continue;
        }
        let kept: Vec<&str> = sentences(p)
            .into_iter()
            .enumerate()
            .filter(|(k, s)| *k == 0 || has_fact(s))
            .map(|(_, s)| s)
            .collect();
        if !kept.is_empty() {
            out.push(kept.join(" "));
        }
    }
    let joined = out.join("\n\n");
    if joined.len() < text.len() {
        return joined;
    }
    // Nothing to drop by sentence: drop fact-free words from the end.
    let words: Vec<&str> = text.split_whitespace().collect();
    let target = (words.len() * 2 / 3).max(1);
    let mut keep: Vec<bool> = vec![true; words.len()];
    let mut dropped = 0;
    for i in (0..words.len()).rev() {
        if words.len() - dropped <= target {
            break;
        }
        if !has_fact(words[i]) {
            keep[i] = false;
            dropped += 1;
        }
    }
    let mut s = words
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(w, _)| *w)
        .collect::<Vec<_>>()
        .join(" ");
    s = s.trim_end_matches([',', ';', ':']).to_string();
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// A paragraph's sentences, each with its closing punctuation.
fn sentences(p: &str) -> Vec<&str> {
    let p = p.trim();
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = p.as_bytes();
    for (i, c) in p.char_indices() {
        let ends = matches!(c, '.' | '!' | '?')
            && bytes.get(i + 1).is_none_or(|b| *b == b' ' || *b == b'\n');
        if ends {
            let s = p[start..=i].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i + 1;
        }
    }
    let rest = p[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Whether text carries something a reply must not lose: digits (amounts,
/// dates, order and ticket numbers), links or email addresses.
pub fn has_fact(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        || text.contains("http")
        || text.contains("www.")
        || text.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens a refinement must keep: those with digits, links, addresses.
    fn facts(text: &str) -> Vec<String> {
        text.split_whitespace()
            .filter(|w| has_fact(w))
            .map(|w| w.trim_end_matches(['.', ',', '!', '?', ';', ':']).to_string())
            .collect()
    }

    /// Property: over many drafts (built from a fixed seed), no refinement
    /// or chain of refinements drops a number, amount, date, ID or link.
    #[test]
    fn refinements_never_drop_the_agents_facts() {
        let plain = [
            "I'm sorry about the trouble.",
            "I've looked into it with the team.",
            "We'll keep you posted.",
            "It's a known problem and we're on it.",
            "Thanks for your patience while we check.",
            "Don't worry, nothing is lost.",
        ];
        let with_facts = [
            "I've refunded 49.90 EUR to your card.",
            "Your order #A-55012 ships on 2026-03-04.",
            "The refund of $1,250.00 will show within 5 days.",
            "See https://help.example.com/returns for the label.",
            "Write to billing@example.com with invoice INV-2291.",
            "Your ticket 77813 is now closed.",
            "The courier comes between 9 and 12 on Friday.",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..500 {
            let paragraphs = 1 + next(3);
            let mut body = Vec::new();
            for _ in 0..paragraphs {
                let sentences = 1 + next(4);
                let p: Vec<&str> = (0..sentences)
                    .map(|_| {
                        if next(2) == 0 {
                            plain[next(plain.len())]
                        } else {
                            with_facts[next(with_facts.len())]
                        }
                    })
                    .collect();
                body.push(p.join(" "));
            }
            let draft = if next(2) == 0 {
                format!("Hi Ana,\n\n{}\n\nBest regards,\nThe Support team", body.join("\n\n"))
            } else {
                body.join("\n\n")
            };
            let want = facts(&draft);
            for chain in [
                vec![Refinement::Shorter],
                vec![Refinement::Formal],
                vec![Refinement::Casual],
                vec![Refinement::Shorter, Refinement::Shorter],
                vec![Refinement::Formal, Refinement::Shorter, Refinement::Casual],
            ] {
                let out = chain.iter().fold(draft.clone(), |t, how| refine(&t, *how));
                for f in &want {
                    assert!(out.contains(f.as_str()), "{chain:?} dropped {f:?}\n{draft}\n---\n{out}");
                }
            }
        }
    }
}
