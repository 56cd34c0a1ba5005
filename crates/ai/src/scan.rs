//! Finds the lexicon's phrases in a conversation, once, with an index keyed
//! by each phrase's first stem so scanning stays linear in the text.

use crate::lexicon::*;
use crate::text::{Token, phrase_at, stems_of, tokenize};
use crate::{Category, Message, Role};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A phrase table indexed by first stem: first stem → (all stems, payload).
pub struct PhraseIndex<T> {
    by_first: HashMap<String, Vec<(Vec<String>, T)>>,
}

impl<T: Copy> PhraseIndex<T> {
    pub fn build(entries: impl IntoIterator<Item = (&'static str, T)>) -> Self {
        let mut by_first: HashMap<String, Vec<(Vec<String>, T)>> = HashMap::new();
        for (phrase, payload) in entries {
            let stems = stems_of(phrase);
            if let Some(first) = stems.first() {
                by_first
                    .entry(first.clone())
                    .or_default()
                    .push((stems, payload));
            }
        }
        PhraseIndex { by_first }
    }

    /// Every (token index, phrase, payload) found in `tokens`.
    pub fn find<'a>(
        &'a self,
        tokens: &'a [Token],
    ) -> impl Iterator<Item = (usize, &'a [String], T)> + 'a {
        tokens.iter().enumerate().flat_map(move |(i, t)| {
            self.by_first
                .get(&t.stem)
                .into_iter()
                .flatten()
                .filter(move |(stems, _)| phrase_at(tokens, i, stems, false))
                .map(move |(stems, p)| (i, stems.as_slice(), *p))
        })
    }
}

pub struct Indexes {
    pub category: PhraseIndex<(Category, f32)>,
    pub sensitive: PhraseIndex<(&'static str, f32)>,
    pub frustration: PhraseIndex<f32>,
    pub priority: PhraseIndex<(&'static str, f32)>,
    pub tags: PhraseIndex<&'static str>,
    pub positive: PhraseIndex<f32>,
    pub negative: PhraseIndex<()>,
    pub questions: PhraseIndex<()>,
    pub human: Vec<Vec<String>>,
}

pub fn indexes() -> &'static Indexes {
    static INDEXES: OnceLock<Indexes> = OnceLock::new();
    INDEXES.get_or_init(|| Indexes {
        category: PhraseIndex::build(CATEGORY_PHRASES.iter().map(|(p, c, w)| (*p, (*c, *w)))),
        sensitive: PhraseIndex::build(SENSITIVE_PHRASES.iter().map(|(p, k, w)| (*p, (*k, *w)))),
        frustration: PhraseIndex::build(FRUSTRATION_PHRASES.iter().copied()),
        priority: PhraseIndex::build(PRIORITY_PHRASES.iter().map(|(p, f, w)| (*p, (*f, *w)))),
        tags: PhraseIndex::build(TAG_PHRASES.iter().copied()),
        positive: PhraseIndex::build(POSITIVE_WORDS.iter().copied()),
        negative: PhraseIndex::build(NEGATIVE_WORDS.iter().map(|w| (*w, ()))),
        questions: PhraseIndex::build(QUESTION_OPENERS.iter().map(|w| (*w, ()))),
        human: HUMAN_REQUEST_PHRASES.iter().map(|p| stems_of(p)).collect(),
    })
}

/// One message, tokenised once for every analyser.
pub struct Scanned<'a> {
    pub role: Role,
    pub text: &'a str,
    pub tokens: Vec<Token>,
}

pub fn scan(messages: &[Message]) -> Vec<Scanned<'_>> {
    messages
        .iter()
        .map(|m| Scanned {
            role: m.role,
            text: &m.text,
            tokens: tokenize(&m.text),
        })
        .collect()
}

/// The words of a phrase as found, for "factors" shown to agents.
pub fn quote(tokens: &[Token], at: usize, len: usize) -> String {
    tokens[at..(at + len).min(tokens.len())]
        .iter()
        .map(|t| t.lower.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
