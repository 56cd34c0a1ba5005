//! Text handling shared by every analyser: tokens with their stems, a light
//! stemmer, and typo-tolerant comparison.

/// One word of a message: as written, lowercased, and stemmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub raw: String,
    pub lower: String,
    pub stem: String,
    /// Byte offset in the message.
    pub start: usize,
}

/// Splits text into word tokens (letters, digits, apostrophes; `#`, `-`
/// and `/` inside identifiers are kept so `ORD-1234` stays one token).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(pos, c)) in chars.iter().enumerate() {
        let next = chars.get(i + 1).map(|&(_, n)| n);
        let joins = match c {
            c if c.is_alphanumeric() => true,
            '\'' | '’' => start.is_some() && next.is_some_and(char::is_alphabetic),
            '-' | '/' | '_' => start.is_some() && next.is_some_and(char::is_alphanumeric),
            '#' => start.is_none() && next.is_some_and(char::is_alphanumeric),
            _ => false,
        };
        match (joins, start) {
            (true, None) => start = Some(pos),
            (false, Some(s)) => {
                tokens.push(make_token(&text[s..pos], s));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        tokens.push(make_token(&text[s..], s));
    }
    tokens
}

/// Contractions people type without the apostrophe.
const CONTRACTIONS: &[(&str, &str)] = &[
    ("cant", "can't"),
    ("cannot", "can't"),
    ("dont", "don't"),
    ("doesnt", "doesn't"),
    ("didnt", "didn't"),
    ("wont", "won't"),
    ("isnt", "isn't"),
    ("havent", "haven't"),
    ("hasnt", "hasn't"),
    ("wasnt", "wasn't"),
    ("im", "i'm"),
    ("ive", "i've"),
    ("youre", "you're"),
    ("whats", "what's"),
    ("thx", "thanks"),
    ("pls", "please"),
    ("plz", "please"),
    ("u", "you"),
    ("ur", "your"),
];

fn make_token(raw: &str, start: usize) -> Token {
    let mut lower = raw.to_lowercase().replace('’', "'");
    if let Some((_, full)) = CONTRACTIONS.iter().find(|(short, _)| *short == lower) {
        lower = full.to_string();
    }
    Token {
        raw: raw.to_string(),
        stem: stem(&lower),
        lower,
        start,
    }
}

/// A deliberately small suffix stripper: enough that "charged", "charges"
/// and "charge" meet, without a dictionary.
pub fn stem(word: &str) -> String {
    let mut w = word.trim_end_matches("'s").to_string();
    let len = w.chars().count();
    if !w.is_ascii() || len <= 3 {
        return w;
    }
    if len > 5 && w.ends_with("ing") {
        w.truncate(w.len() - 3);
    } else if len > 4 && w.ends_with("ied") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if len > 4 && w.ends_with("ed") {
        w.truncate(w.len() - 2);
    } else if len > 4 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if len > 4
        && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("sses") || w.ends_with("xes"))
    {
        w.truncate(w.len() - 2);
    } else if len > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        w.truncate(w.len() - 1);
    }
    if w.len() > 4 && w.ends_with('e') {
        w.truncate(w.len() - 1);
    }
    let b = w.as_bytes();
    if b.len() > 3
        && b[b.len() - 1] == b[b.len() - 2]
        && !b"sz".contains(&b[b.len() - 1])
        && !b"aeiou".contains(&b[b.len() - 1])
    {
        w.truncate(w.len() - 1);
    }
    w
}

/// Damerau-Levenshtein distance of at most one (one insertion, deletion,
/// substitution or adjacent swap), for typo tolerance on longer words.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return true;
    }
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if la == lb {
        let rest_equal = |from: usize| a[from..] == b[from..];
        return rest_equal(prefix + 1)
            || (prefix + 1 < la
                && a[prefix] == b[prefix + 1]
                && a[prefix + 1] == b[prefix]
                && rest_equal(prefix + 2));
    }
    let (long, short) = if la > lb { (a, b) } else { (b, a) };
    long[prefix + 1..] == short[prefix..]
}

/// Words that match: same stem, or (for words of 5+ letters) one typo apart.
pub fn fuzzy_eq(token: &Token, keyword_stem: &str) -> bool {
    token.stem == keyword_stem
        || (keyword_stem.len() >= 5
            && token.stem.len() >= 4
            && token.stem.as_bytes().first() == keyword_stem.as_bytes().first()
            && within_one_edit(&token.stem, keyword_stem))
}

/// True if the stems of `phrase` (space-separated words) occur in order at
/// `tokens[i..]`; returns how many tokens matched.
pub fn phrase_at<S: AsRef<str>>(tokens: &[Token], i: usize, phrase: &[S], fuzzy: bool) -> bool {
    phrase.len() <= tokens.len() - i
        && phrase.iter().enumerate().all(|(k, p)| {
            let (t, p) = (&tokens[i + k], p.as_ref());
            if fuzzy { fuzzy_eq(t, p) } else { t.stem == p }
        })
}

pub fn stems_of(phrase: &str) -> Vec<String> {
    tokenize(phrase).into_iter().map(|t| t.stem).collect()
}

/// Uppercase letters share of the letters, for shouting detection.
pub fn is_shouting(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 12
        && letters.iter().filter(|c| c.is_uppercase()).count() * 10 >= letters.len() * 7
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_identifiers_whole() {
        let t: Vec<String> = tokenize("Hi! My order #ORD-2024-17 didn't arrive :( email a.b@x.com")
            .into_iter()
            .map(|t| t.lower)
            .collect();
        assert_eq!(
            t,
            [
                "hi",
                "my",
                "order",
                "#ord-2024-17",
                "didn't",
                "arrive",
                "email",
                "a",
                "b",
                "x",
                "com"
            ]
        );
    }

    #[test]
    fn stems_meet() {
        for (a, b) in [
            ("charged", "charge"),
            ("charges", "charge"),
            ("refunds", "refunded"),
            ("shipping", "shipped"),
            ("invoices", "invoice"),
            ("deliveries", "delivery"),
            ("cancelled", "cancel"),
            ("logging", "log"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("access"), "access");
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("person", "persn"));
        assert!(within_one_edit("refund", "refnud"));
        assert!(within_one_edit("agent", "agnet"));
        assert!(!within_one_edit("refund", "fund"));
    }

    #[test]
    fn shouting() {
        assert!(is_shouting("WHERE IS MY ORDER I PAID WEEKS AGO"));
        assert!(!is_shouting("Where is my ORDER?"));
    }
}
