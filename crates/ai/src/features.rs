//! What the learned model sees of a conversation: hashed word, word-pair
//! and character n-gram features, the same at training and at prediction.
//!
//! Text is lowercased and accent-folded ("é" and "e" alike: customers type
//! both), split into words; each feature name is hashed (FNV-1a) into one
//! of [`BUCKETS`] slots. Customer words, the customer's last message and
//! the chat bot's words are kept apart by a prefix, since "a person will
//! call you" from the bot means something else than from the customer.

/// Slots of the hashed feature space (a power of two).
pub const BUCKETS: usize = 1 << 15;

/// Lowercase with common Latin diacritics removed and `ß` as `ss`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        for l in c.to_lowercase() {
            match l {
                'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => out.push('a'),
                'ç' | 'ć' | 'č' => out.push('c'),
                'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => out.push('e'),
                'ì' | 'í' | 'î' | 'ï' => out.push('i'),
                'ñ' | 'ń' => out.push('n'),
                'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => out.push('o'),
                'ù' | 'ú' | 'û' | 'ü' | 'ū' => out.push('u'),
                'ý' | 'ÿ' => out.push('y'),
                'ß' => out.push_str("ss"),
                'œ' => out.push_str("oe"),
                'æ' => out.push_str("ae"),
                '’' | '`' => out.push('\''),
                other => out.push(other),
            }
        }
    }
    out
}

/// Folded words: runs of letters and digits (an apostrophe splits, so
/// "l'ordine" gives "l" and "ordine"). Digits become `0` so that order
/// numbers and amounts share features by shape.
pub fn words(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .map(|c| if c.is_ascii_digit() { '0' } else { c })
                .collect()
        })
        .collect()
}

fn fnv(parts: &[&str]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(0x0100_0193);
        }
        for b in p.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// A deterministic 32-bit hash of a string (also used to split the corpus).
pub fn hash(s: &str) -> u32 {
    fnv(&[s])
}

/// Sparse features: (slot, value), slots distinct, values L2-normalised
/// per group so long conversations do not drown short ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features(pub Vec<(u32, f32)>);

struct Builder {
    slots: Vec<(u32, f32)>,
}

impl Builder {
    fn add(&mut self, parts: &[&str], value: f32) {
        // The last slot is reserved for the always-on prior feature.
        let slot = fnv(parts) % (BUCKETS as u32 - 1);
        self.slots.push((slot, value));
    }

    fn add_text(&mut self, prefix: &str, text: &str, chars: bool) {
        let folded = fold(text);
        let ws = words(&folded);
        for w in &ws {
            self.add(&[prefix, w], 1.0);
        }
        for pair in ws.windows(2) {
            self.add(&[prefix, "2", &pair[0], &pair[1]], 1.0);
        }
        if chars {
            for w in &ws {
                let padded: Vec<char> = format!("<{w}>").chars().collect();
                if padded.len() <= 5 {
                    continue;
                }
                for gram in padded.windows(4) {
                    let g: String = gram.iter().collect();
                    self.add(&[prefix, "4", &g], 0.5);
                }
            }
        }
    }

    fn finish(mut self) -> Features {
        self.slots.sort_unstable_by_key(|(s, _)| *s);
        let mut merged: Vec<(u32, f32)> = Vec::with_capacity(self.slots.len());
        for (s, v) in self.slots {
            match merged.last_mut() {
                Some((last, acc)) if *last == s => *acc += v,
                _ => merged.push((s, v)),
            }
        }
        // Counts grow slowly: one mention is evidence, ten are not ten times it.
        for (_, v) in &mut merged {
            *v = v.sqrt();
        }
        let norm = merged.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut merged {
                *v /= norm;
            }
        }
        merged.push((BUCKETS as u32 - 1, 1.0)); // always-on: a per-class prior
        Features(merged)
    }
}

/// Shape signals that words miss: shouting, exclamation marks, a big
/// amount of money, how long the conversation is.
fn shape(b: &mut Builder, customer: &[&str]) {
    let all: String = customer.join(" ");
    let letters: Vec<char> = all.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    if letters.len() >= 12 && upper * 10 >= letters.len() * 6 {
        b.add(&["shape", "shouting"], 1.0);
    }
    let bangs = all.matches('!').count();
    if bangs >= 3 {
        b.add(&["shape", "bangs"], 1.0);
    }
    let turns = customer.len().min(6).to_string();
    b.add(&["shape", "turns", &turns], 1.0);
    let big_amount = words(&fold(&all))
        .iter()
        .any(|w| w.len() >= 3 && w.chars().all(|c| c == '0'));
    if big_amount {
        b.add(&["shape", "number3+"], 1.0);
    }
}

/// What a team's corrections learn on: the customer's words and word
/// pairs alone. Letter runs and the bot's words are shared by too many
/// conversations; a correction moving them would tilt unrelated ones.
pub fn customer_words<'a>(messages: impl IntoIterator<Item = (bool, &'a str)>) -> Features {
    let mut b = Builder { slots: Vec::new() };
    for (_, text) in messages.into_iter().filter(|(c, _)| *c) {
        b.add_text("c", text, false);
    }
    b.finish()
}

/// The features of a conversation given as (is_customer, text) messages.
pub fn extract<'a>(messages: impl IntoIterator<Item = (bool, &'a str)>) -> Features {
    let messages: Vec<(bool, &str)> = messages.into_iter().collect();
    let customer: Vec<&str> = messages
        .iter()
        .filter(|(c, _)| *c)
        .map(|(_, t)| *t)
        .collect();
    let mut b = Builder { slots: Vec::new() };
    for text in &customer {
        b.add_text("c", text, true);
    }
    if let Some(last) = customer.last() {
        b.add_text("l", last, false);
    }
    for (_, text) in messages.iter().filter(|(c, _)| !*c) {
        b.add_text("a", text, false);
    }
    shape(&mut b, &customer);
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_words() {
        assert_eq!(fold("Über Straße Ça VA"), "uber strasse ca va");
        assert_eq!(
            words("order #48213, l'ordine"),
            ["order", "00000", "l", "ordine"]
        );
    }

    #[test]
    fn features_are_deterministic_sorted_and_normalised() {
        let a = extract([(true, "My charger SPARKED!"), (false, "Sorry to hear that")]);
        let b = extract([(true, "My charger SPARKED!"), (false, "Sorry to hear that")]);
        assert_eq!(a, b);
        assert!(a.0.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(a.0.iter().all(|(s, _)| (*s as usize) < BUCKETS));
        let norm: f32 = a.0[..a.0.len() - 1].iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-4);
        // Accents do not matter.
        assert_eq!(
            extract([(true, "électricité")]),
            extract([(true, "electricite")])
        );
    }
}
