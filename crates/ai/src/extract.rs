//! Customer details found in chat text: email addresses (also typed with
//! spaces or as "name at domain dot com"), phone numbers, order numbers in
//! their many shapes, other identifiers (invoice, tracking, account, ticket)
//! and the customer's name.

use crate::text::{Token, tokenize};

#[derive(Debug, Clone, PartialEq)]
pub struct Identifier {
    /// `invoice`, `tracking`, `account`, `ticket`, `reference`.
    pub kind: &'static str,
    pub value: String,
}

/// Email addresses, lowercased, in order of appearance, without duplicates.
pub fn emails(text: &str) -> Vec<String> {
    let squeezed = squeeze_email_spaces(&spelled_out_emails(text));
    let chars: Vec<char> = squeezed.chars().collect();
    let mut found: Vec<String> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        if c != '@' {
            continue;
        }
        let is_local = |c: char| c.is_alphanumeric() || "._%+-'".contains(c);
        let is_domain = |c: char| c.is_alphanumeric() || c == '.' || c == '-';
        let mut start = i;
        while start > 0 && is_local(chars[start - 1]) {
            start -= 1;
        }
        let mut end = i + 1;
        while end < chars.len() && is_domain(chars[end]) {
            end += 1;
        }
        let local: String = chars[start..i]
            .iter()
            .collect::<String>()
            .trim_start_matches(['.', '\'', '-'])
            .to_string();
        let domain: String = chars[i + 1..end]
            .iter()
            .collect::<String>()
            .trim_end_matches(['.', '-'])
            .to_string();
        if valid_email(&local, &domain) {
            let email = format!("{local}@{domain}").to_lowercase();
            if !found.contains(&email) {
                found.push(email);
            }
        }
    }
    found
}

fn valid_email(local: &str, domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && local.len() <= 64
        && !local.contains("..")
        && labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && labels.last().is_some_and(|tld| {
            tld.len() >= 2 && tld.len() <= 24 && tld.chars().all(char::is_alphabetic)
        })
}

/// Removes spaces around `@`, and around dots that sit between two word
/// characters with spaces on both sides ("jane . doe @ gmail . com"), so
/// the ordinary scan finds the address. Sentence-ending dots stay.
fn squeeze_email_spaces(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' {
            // Look past a run of spaces.
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let prev = out.chars().last();
            let next = chars.get(j).copied();
            let near_at = next == Some('@') || prev == Some('@');
            let spaced_dot = (next == Some('.')
                && chars.get(j + 1) == Some(&' ')
                && prev.is_some_and(char::is_alphanumeric))
                || (i >= 2
                    && chars[i - 1] == '.'
                    && chars[i - 2] == ' '
                    && next.is_some_and(char::is_alphanumeric));
            // A spaced dot squeezes only next to an address ("x @ y . com").
            let email_context = window_has_at(&chars, i, 40);
            if near_at || (spaced_dot && email_context) {
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn window_has_at(chars: &[char], at: usize, radius: usize) -> bool {
    let lo = at.saturating_sub(radius);
    let hi = (at + radius).min(chars.len());
    chars[lo..hi].contains(&'@')
}

/// "jane.doe at gmail dot com" → "jane.doe@gmail.com" (only when a
/// "dot <tld>" follows, so ordinary "at" stays).
fn spelled_out_emails(text: &str) -> String {
    let lower = text.to_lowercase();
    if !lower.contains(" at ") || !lower.contains(" dot ") {
        return text.to_string();
    }
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w.eq_ignore_ascii_case("at")
            && i > 0
            && i + 3 < words.len() + 1
            && words
                .get(i + 2)
                .is_some_and(|d| d.eq_ignore_ascii_case("dot"))
            && words.get(i + 3).is_some_and(|t| {
                t.trim_end_matches(['.', ',', '!', '?'])
                    .chars()
                    .all(char::is_alphabetic)
            })
        {
            let local = out.pop().unwrap_or_default();
            let tld = words[i + 3];
            out.push(format!("{local}@{}.{tld}", words[i + 1]));
            i += 4;
            continue;
        }
        out.push(w.to_string());
        i += 1;
    }
    out.join(" ")
}

/// Words that announce an order number, in the seven languages.
const ORDER_WORDS: &[&str] = &[
    "order",
    "orders",
    "ord",
    "purchase", // en
    "pedido",
    "pedidos",
    "compra", // es, pt
    "encomenda",
    "encomendas", // pt
    "bestellung",
    "bestellungen",
    "bestellnummer",
    "auftrag",
    "auftragsnummer", // de
    "commande",
    "commandes",
    "cde",
    "cmd", // fr
    "ordine",
    "ordini",
    "ordinazione", // it
    "bestelling",
    "bestellingen",
    "bestelnummer",
    "ordernummer", // nl
];

/// Words that say the next number is not an order number.
const OTHER_ID_WORDS: &[(&str, &str)] = &[
    ("factura", "invoice"),
    ("fatura", "invoice"),
    ("rechnung", "invoice"),
    ("rechnungsnummer", "invoice"),
    ("facture", "invoice"),
    ("fattura", "invoice"),
    ("factuur", "invoice"),
    ("seguimiento", "tracking"),
    ("rastreio", "tracking"),
    ("sendungsnummer", "tracking"),
    ("suivi", "tracking"),
    ("spedizione", "tracking"),
    ("cuenta", "account"),
    ("conta", "account"),
    ("kundennummer", "account"),
    ("konto", "account"),
    ("compte", "account"),
    ("cliente", "account"),
    ("klantnummer", "account"),
    ("reserva", "reference"),
    ("buchung", "reference"),
    ("reservation", "reference"),
    ("réservation", "reference"),
    ("prenotazione", "reference"),
    ("boeking", "reference"),
    ("tarjeta", "card"),
    ("cartão", "card"),
    ("karte", "card"),
    ("carte", "card"),
    ("carta", "card"),
    ("kaart", "card"),
    ("invoice", "invoice"),
    ("inv", "invoice"),
    ("receipt", "invoice"),
    ("tracking", "tracking"),
    ("track", "tracking"),
    ("account", "account"),
    ("acct", "account"),
    ("customer", "account"),
    ("member", "account"),
    ("ticket", "ticket"),
    ("case", "ticket"),
    ("reference", "reference"),
    ("ref", "reference"),
    ("confirmation", "reference"),
    ("booking", "reference"),
    ("transaction", "reference"),
    ("card", "card"),
    ("phone", "phone"),
    ("mobile", "phone"),
    ("cell", "phone"),
    ("zip", "address"),
    ("postcode", "address"),
    ("version", "version"),
    ("error", "error"),
    ("code", "error"),
];

/// Filler between a keyword and its value: "order number is #123",
/// "n° de commande", "Bestellnummer ist", "il mio ordine è".
const FILLER: &[&str] = &[
    "n",
    "nº",
    "numero",
    "número",
    "numéro",
    "nummer",
    "de",
    "del",
    "do",
    "da",
    "du",
    "della",
    "mi",
    "meu",
    "minha",
    "mon",
    "ma",
    "meine",
    "mein",
    "mijn",
    "il",
    "mio",
    "la",
    "le",
    "el",
    "es",
    "é",
    "est",
    "ist",
    "è",
    "con",
    "com",
    "avec",
    "mit",
    "met",
    "number",
    "numbers",
    "no",
    "nr",
    "num",
    "id",
    "is",
    "was",
    "are",
    "were",
    "my",
    "the",
    "it's",
    "its",
    "it",
    "reference",
    "ref",
    "code",
    "#",
    ":",
    "of",
    "for",
    "a",
    "an",
    "on",
    "with",
    "and",
    "placed",
    "under",
    "says",
    "shows",
];

fn looks_like_id(raw: &str) -> bool {
    let v = raw.trim_start_matches('#');
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let valid = v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid && digits >= 3 && v.len() >= 3 && v.len() <= 24 && !v.starts_with('-')
}

fn normalize_id(raw: &str) -> String {
    raw.trim_start_matches('#')
        .trim_end_matches('-')
        .to_ascii_uppercase()
}

/// Looks like a price, time, date or quantity rather than an identifier.
fn is_measure(tokens: &[Token], i: usize) -> bool {
    let next = tokens.get(i + 1).map(|t| t.lower.as_str()).unwrap_or("");
    let raw = &tokens[i].raw;
    [
        "usd", "eur", "dollars", "euros", "pounds", "gb", "mb", "kg", "lbs", "days", "hours",
        "minutes", "pm", "am", "items", "times", "percent",
    ]
    .contains(&next)
        || raw.contains('/')
        || (raw.len() == 4 && raw.starts_with("20") && raw.chars().all(|c| c.is_ascii_digit()))
}

/// Order numbers and other identifiers, normalised (no `#`, upper case).
pub fn identifiers(text: &str) -> (Vec<String>, Vec<Identifier>) {
    let tokens = tokenize(text);
    let mut orders: Vec<String> = Vec::new();
    let mut others: Vec<Identifier> = Vec::new();
    let mut taken = vec![false; tokens.len()];
    let push_order = |orders: &mut Vec<String>, v: String| {
        if !orders.contains(&v) {
            orders.push(v);
        }
    };
    for i in 0..tokens.len() {
        let word = tokens[i].lower.trim_start_matches('#');
        // "l'ordine", "dell'ordine", "d'commande": the word after an elision.
        let word = word.rsplit(['\'', '’']).next().unwrap_or(word);
        let kind = if ORDER_WORDS.contains(&word) || word.starts_with("order#") {
            Some("order")
        } else {
            OTHER_ID_WORDS
                .iter()
                .find(|(w, _)| *w == word)
                .map(|(_, k)| *k)
        };
        let Some(kind) = kind else { continue };
        // "order#55123" arrives as one token.
        if let Some(rest) = tokens[i].raw.to_ascii_lowercase().strip_prefix("order#")
            && looks_like_id(rest)
        {
            push_order(&mut orders, normalize_id(rest));
            taken[i] = true;
            continue;
        }
        let mut j = i + 1;
        let mut skipped = 0;
        while j < tokens.len() && skipped < 4 && FILLER.contains(&tokens[j].lower.as_str()) {
            // "tracking for #7781": the number belongs to something else (the order).
            if kind != "order" && ["for", "of", "on"].contains(&tokens[j].lower.as_str()) {
                j = tokens.len();
                break;
            }
            j += 1;
            skipped += 1;
        }
        // Several values: "orders 123 and 456", "order #1, #2".
        while j < tokens.len()
            && looks_like_id(&tokens[j].raw)
            && !taken[j]
            && !is_measure(&tokens, j)
        {
            let value = normalize_id(&tokens[j].raw);
            taken[j] = true;
            if kind == "order" {
                push_order(&mut orders, value);
            } else if !["phone", "card", "address", "version", "error"].contains(&kind)
                && !others.iter().any(|o| o.value == value)
            {
                others.push(Identifier { kind, value });
            }
            j += 1;
            if kind != "order"
                || j >= tokens.len()
                || !["and", "&", "or"].contains(&tokens[j].lower.as_str())
            {
                break;
            }
            j += 1;
        }
    }
    for (i, t) in tokens.iter().enumerate() {
        if taken[i] {
            continue;
        }
        let upper = t.raw.to_ascii_uppercase();
        // "#48213" on its own, or a token with an order-like prefix.
        let hash_id =
            t.raw.starts_with('#') && looks_like_id(&t.raw) && !preceded_by_other(&tokens, i);
        let prefixed = (upper.starts_with("ORD-")
            || upper.starts_with("ORD")
                && upper[3..].chars().all(|c| c.is_ascii_digit())
                && upper.len() > 5)
            && looks_like_id(&t.raw);
        let invoice_like = upper.starts_with("INV-")
            || upper.starts_with("INV")
                && upper.len() > 5
                && upper[3..].chars().all(|c| c.is_ascii_digit());
        if (hash_id || prefixed) && !invoice_like {
            let v = normalize_id(&t.raw);
            if !orders.contains(&v) {
                orders.push(v);
            }
        } else if invoice_like && looks_like_id(&t.raw) {
            let value = normalize_id(&t.raw);
            if !others.iter().any(|o| o.value == value) {
                others.push(Identifier {
                    kind: "invoice",
                    value,
                });
            }
        }
    }
    (orders, others)
}

/// The first identifier-shaped word of a short answer ("its 4417-2281"),
/// for when the question before it asked for an order number.
pub fn answered_id(text: &str) -> Option<String> {
    let tokens = tokenize(text);
    (0..tokens.len())
        .find(|&i| {
            looks_like_id(&tokens[i].raw)
                && !is_measure(&tokens, i)
                && tokens[i].raw.chars().filter(char::is_ascii_digit).count() <= 14
        })
        .map(|i| normalize_id(&tokens[i].raw))
}

/// A `#123` right after "ticket", "invoice", "issue"… is not an order.
fn preceded_by_other(tokens: &[Token], i: usize) -> bool {
    if i > 0 && ["for", "of", "on"].contains(&tokens[i - 1].lower.as_str()) {
        return false;
    }
    tokens[i.saturating_sub(3)..i].iter().any(|t| {
        OTHER_ID_WORDS.iter().any(|(w, _)| *w == t.lower)
            || ["pr", "issue", "bug", "step"].contains(&t.lower.as_str())
    })
}

/// Phone numbers: 7 to 15 digits with the usual separators, not part of an
/// order or other identifier. Returned as written, trimmed.
pub fn phones(text: &str, exclude: &[String]) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '+' || chars[i] == '(' || chars[i].is_ascii_digit();
        let boundary = i == 0
            || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '#' || chars[i - 1] == '-');
        if !(starts && boundary) {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut digits = 0;
        while j < chars.len() && (chars[j].is_ascii_digit() || " -.()+".contains(chars[j])) {
            if chars[j].is_ascii_digit() {
                digits += 1;
            }
            // Stop at a double space or sentence dot.
            if chars[j] == ' '
                && chars
                    .get(j + 1)
                    .is_some_and(|c| !c.is_ascii_digit() && *c != '(' && *c != '+')
            {
                break;
            }
            if chars[j] == '.' && chars.get(j + 1).is_none_or(|c| !c.is_ascii_digit()) {
                break;
            }
            j += 1;
        }
        let candidate: String = chars[i..j]
            .iter()
            .collect::<String>()
            .trim()
            .trim_end_matches(['-', '.', '('])
            .to_string();
        let followed_by_letter = chars.get(j).is_some_and(|c| c.is_alphabetic());
        let before: String = chars[i.saturating_sub(24)..i]
            .iter()
            .collect::<String>()
            .to_lowercase();
        let phone_context = [
            "phone", "call", "mobile", "cell", "number", "tel", "whatsapp", "text me", "reach me",
            "contact",
        ]
        .iter()
        .any(|w| before.contains(w));
        let id_context = [
            "order", "invoice", "tracking", "account", "ticket", "ref", "#", "card", "case", "zip",
        ]
        .iter()
        .any(|w| before.contains(w))
            && !phone_context;
        let min_digits = if phone_context || candidate.starts_with('+') {
            7
        } else {
            9
        };
        let plain = candidate
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>();
        let excluded = exclude
            .iter()
            .any(|e| e.contains(&plain) || plain.contains(e.as_str()) && e.len() >= 5);
        if digits >= min_digits
            && digits <= 15
            && !followed_by_letter
            && !id_context
            && !excluded
            && candidate.contains(|c: char| c.is_ascii_digit())
        {
            found.push(candidate);
        }
        i = j.max(i + 1);
    }
    found
}

const NOT_NAMES: &[&str] = &[
    "having",
    "trying",
    "not",
    "so",
    "very",
    "still",
    "looking",
    "getting",
    "unable",
    "a",
    "an",
    "the",
    "just",
    "sorry",
    "really",
    "here",
    "back",
    "writing",
    "contacting",
    "calling",
    "waiting",
    "done",
    "fine",
    "good",
    "sure",
    "new",
    "interested",
    "afraid",
    "going",
    "about",
    "on",
    "in",
    "from",
    "with",
    "the",
    "at",
    "confused",
    "frustrated",
    "annoyed",
    "angry",
    "upset",
    "happy",
    "glad",
    "disappointed",
    "also",
    "currently",
    "already",
    "now",
    "using",
    "unable",
    "stuck",
    "locked",
    "charged",
    "subscribed",
    "leaving",
    "cancelling",
    "canceling",
    "considering",
    "thinking",
    "wondering",
    "hoping",
    "reaching",
    "following",
    "asking",
    "tired",
    "over",
    "sick",
    "out",
    "ok",
    "okay",
    "customer",
    "client",
    "user",
    "member",
    "owner",
    "admin",
    "manager",
    "developer",
    "loving",
    "seeing",
    "told",
    "moving",
    "planning",
    "about",
    "able",
    "aware",
    "pretty",
    "quite",
    "totally",
    "completely",
    "literally",
    "kind",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "please",
    "your",
    "my",
    "our",
    "their",
    "this",
    "that",
    "it",
    "is",
    "was",
    "will",
    "would",
    "could",
    "should",
    "can",
    "to",
    "for",
    "and",
    "or",
    "but",
    "if",
    "when",
    "since",
    "because",
    "as",
    "who",
    "what",
    "why",
    "how",
    "where",
    "there",
    "all",
    "any",
    "some",
];

fn name_word(t: &Token, require_capital: bool) -> bool {
    let first = t.raw.chars().next();
    t.raw
        .chars()
        .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        && t.raw.chars().count() >= 2
        && t.raw.chars().count() <= 20
        && !NOT_NAMES.contains(&t.lower.as_str())
        && (!require_capital || first.is_some_and(char::is_uppercase))
}

fn capitalize(word: &str) -> String {
    let mut c = word.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The customer's name if they state it: "my name is …", "I'm …", "this
/// is …", "name: …", or a sign-off like "- Mark" / "thanks, Mark".
pub fn name(customer_messages: &[&str]) -> Option<String> {
    for text in customer_messages {
        let tokens = tokenize(text);
        let lower: Vec<&str> = tokens.iter().map(|t| t.lower.as_str()).collect();
        for i in 0..tokens.len() {
            let prev = i.checked_sub(1).map(|p| lower[p]);
            let after = &text[tokens[i].start + tokens[i].raw.len()..];
            // (index of the first name word, whether it must be capitalised)
            let cue = match (prev, lower[i], lower.get(i + 1).copied()) {
                (Some("my"), "name", Some("is")) => Some((i + 2, false)),
                (Some("my"), "name's", _) => Some((i + 1, false)),
                (_, "name", _) if after.trim_start().starts_with(':') => Some((i + 1, false)),
                (_, "i'm" | "im", _) => Some((i + 1, true)),
                (Some("i"), "am", _) => Some((i + 1, true)),
                (Some("this"), "is", _)
                    if i == 1
                        || (i >= 2
                            && ["hi", "hello", "hey", "hola", "bonjour", "hallo", "ciao"]
                                .contains(&lower[i - 2])) =>
                {
                    Some((i + 1, true))
                }
                _ => None,
            };
            let Some((first, strict)) = cue else { continue };
            let mut parts: Vec<String> = Vec::new();
            for t in tokens.iter().skip(first).take(3) {
                // After the first word, strict cues take only capitalised words.
                if !name_word(t, strict) {
                    break;
                }
                parts.push(capitalize(&t.raw));
            }
            if !parts.is_empty() {
                return Some(parts.join(" "));
            }
        }
    }
    signature(customer_messages)
}

/// "- Mark", "thanks, Mark", "regards, Ana Souza" at the end of a message.
fn signature(customer_messages: &[&str]) -> Option<String> {
    for text in customer_messages.iter().rev() {
        let trimmed = text.trim_end();
        let lower = trimmed.to_lowercase();
        let tail_start = [
            "\n- ",
            "\n-",
            " - ",
            "thanks, ",
            "thank you, ",
            "regards, ",
            "cheers, ",
            "best, ",
            "thanks ",
            "cheers ",
        ]
        .iter()
        .filter_map(|m| lower.rfind(m).map(|p| p + m.len()))
        .max()?;
        let tail = &trimmed[tail_start.min(trimmed.len())..];
        let tokens = tokenize(tail);
        if tokens.is_empty() || tokens.len() > 3 || tail.len() > 40 {
            continue;
        }
        if tokens.iter().all(|t| name_word(t, true)) {
            return Some(
                tokens
                    .iter()
                    .map(|t| t.raw.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_in_many_shapes() {
        assert_eq!(
            emails("mail me at Jane.Doe+shop@Mail.Example.co.uk. thanks"),
            ["jane.doe+shop@mail.example.co.uk"]
        );
        assert_eq!(emails("its jane.doe @ gmail . com"), ["jane.doe@gmail.com"]);
        assert_eq!(emails("email: tom @gmail.com"), ["tom@gmail.com"]);
        assert_eq!(
            emails("reach me on bob at yahoo dot com please"),
            ["bob@yahoo.com"]
        );
        assert_eq!(
            emails("a@b.c is not one, x@localhost neither"),
            Vec::<String>::new()
        );
        assert_eq!(emails("me@x.io and ME@x.io"), ["me@x.io"]);
        assert!(emails("I paid at 5 pm. Then nothing").is_empty());
    }

    #[test]
    fn order_numbers_in_many_shapes() {
        let cases = [
            ("where is order #48213??", vec!["48213"]),
            ("order number is 48213", vec!["48213"]),
            ("my order no. A-4471 is late", vec!["A-4471"]),
            ("ORD-2024-00917 never came", vec!["ORD-2024-00917"]),
            ("order#55123 pls", vec!["55123"]),
            ("orders 1234 and 5678 both broken", vec!["1234", "5678"]),
            ("my order is bx77120", vec!["BX77120"]),
            ("#100-2234-99", vec!["100-2234-99"]),
            ("ho reso le scarpe dell'ordine B-30218", vec!["B-30218"]),
            ("l’ordine 66012 non è arrivato", vec!["66012"]),
        ];
        for (text, expected) in cases {
            assert_eq!(identifiers(text).0, expected, "{text}");
        }
    }

    #[test]
    fn other_identifiers_are_not_orders() {
        let (orders, others) = identifiers(
            "invoice INV-2291 and tracking 1Z999AA10123456784, ticket #5521, order 7781",
        );
        assert_eq!(orders, ["7781"]);
        let kinds: Vec<(&str, &str)> = others.iter().map(|i| (i.kind, i.value.as_str())).collect();
        assert_eq!(
            kinds,
            [
                ("invoice", "INV-2291"),
                ("tracking", "1Z999AA10123456784"),
                ("ticket", "5521")
            ]
        );
        assert!(
            identifiers("I paid $120 on 12/03 for 3 items in 2024")
                .0
                .is_empty()
        );
    }

    #[test]
    fn phones() {
        assert_eq!(
            super::phones("call me on +44 7700 900123 after 5", &[]),
            ["+44 7700 900123"]
        );
        assert_eq!(
            super::phones("my number is (555) 123-4567.", &[]),
            ["(555) 123-4567"]
        );
        assert!(super::phones("order 123456789", &[]).is_empty());
        assert!(super::phones("I was charged 49.99 twice", &[]).is_empty());
    }

    #[test]
    fn names() {
        assert_eq!(
            name(&["hi my name is priya sharma and"]),
            Some("Priya Sharma".into())
        );
        assert_eq!(name(&["Hello, I'm Tom. My order..."]), Some("Tom".into()));
        assert_eq!(name(&["i'm having trouble logging in"]), None);
        assert_eq!(
            name(&["hi this is Ana Souza from Acme"]),
            Some("Ana Souza".into())
        );
        assert_eq!(name(&["Name: Mark Lee"]), Some("Mark Lee".into()));
        assert_eq!(
            name(&["the app crashes again\n- Mark"]),
            Some("Mark".into())
        );
        assert_eq!(name(&["I'm So frustrated"]), None);
    }
}
