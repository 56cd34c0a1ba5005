//! The new text of a reply: quoted history and signatures removed.
//!
//! Line-based heuristics, in this order: an inline-forward marker stops the
//! search (a forwarded message is content); the first reply marker cuts
//! (attribution line, "Original Message" line, underscore separator,
//! Outlook header block); a trailing block of ">" lines cuts; then a
//! signature ("-- " or a mobile "Sent from my ...") at the end is removed.

/// Lines of an attribution that may wrap ("On ..., Jo <\njo@x> wrote:").
const MAX_ATTRIBUTION_LINES: usize = 3;
/// Lines after an Outlook "From:" line searched for the rest of the block.
const HEADER_BLOCK_WINDOW: usize = 10;

/// (first words, last words) of reply attributions; lowercase.
const ATTRIBUTIONS: &[(&str, &[&str])] = &[
    ("on ", &["wrote:", "wrote :"]),
    ("le ", &["a écrit :", "a écrit:", "a ecrit :", "a ecrit:"]),
    ("am ", &[":"]),
    ("el ", &["escribió:", "escribió :", "escribio:"]),
    ("em ", &["escreveu:", "escreveu :"]),
    ("op ", &[":"]),
    ("il ", &["ha scritto:", "ha scritto :"]),
    ("den ", &[":"]),
    ("w dniu ", &[":"]),
];

/// Endings that mark an attribution on their own when quoted lines follow
/// ("jo@example.org wrote:").
const ATTRIBUTION_ENDINGS: &[&str] = &[
    "wrote:",
    "a écrit :",
    "a écrit:",
    "schrieb:",
    "escribió:",
    "escreveu:",
    "schreef:",
    "geschreven:",
    "ha scritto:",
    "skrev:",
    "kirjoitti:",
    "napisał:",
    "napisał(a):",
    "napisała:",
    "пишет:",
    "написал:",
    "написала:",
    "написал(а):",
];

const FROM_LABELS: &[&str] = &[
    "from:", "de:", "de :", "von:", "da:", "van:", "från:", "fra:",
];
const SENT_LABELS: &[&str] = &[
    "sent:",
    "date:",
    "envoyé :",
    "envoyé:",
    "date :",
    "gesendet:",
    "datum:",
    "enviado:",
    "enviada:",
    "fecha:",
    "data:",
    "inviato:",
    "verzonden:",
    "skickat:",
    "sendt:",
];
const SUBJECT_LABELS: &[&str] = &[
    "subject:",
    "objet :",
    "objet:",
    "betreff:",
    "asunto:",
    "assunto:",
    "oggetto:",
    "onderwerp:",
    "ämne:",
    "emne:",
];

const ORIGINAL_MESSAGE: &[&str] = &[
    "original message",
    "ursprüngliche nachricht",
    "original-nachricht",
    "message d'origine",
    "message d’origine",
    "mensaje original",
    "mensagem original",
    "oorspronkelijk bericht",
    "messaggio originale",
];

const FORWARD_RULE_WORDS: &[&str] = &[
    "forwarded message",
    "message transféré",
    "weitergeleitete nachricht",
    "mensaje reenviado",
    "mensagem encaminhada",
    "doorgestuurd bericht",
    "messaggio inoltrato",
];
const FORWARD_LINES: &[&str] = &[
    "begin forwarded message",
    "début du message réexpédié",
    "anfang der weitergeleiteten nachricht",
    "inicio del mensaje reenviado",
    "início da mensagem reencaminhada",
    "início da mensagem encaminhada",
    "begin doorgestuurd bericht",
    "inizio messaggio inoltrato",
];

const MOBILE_SIGNATURES: &[&str] = &[
    "sent from my ",
    "sent from mail for windows",
    "sent from outlook",
    "sent from yahoo mail",
    "sent from proton mail",
    "sent with proton mail",
    "get outlook for ios",
    "get outlook for android",
    "envoyé de mon ",
    "envoyé depuis mon ",
    "envoyé à partir de ",
    "von meinem iphone gesendet",
    "von meinem ipad gesendet",
    "von meinem smartphone gesendet",
    "gesendet von meinem ",
    "gesendet mit der ",
    "enviado desde mi ",
    "enviado do meu ",
    "enviado de meu ",
    "verzonden vanaf mijn ",
    "verstuurd vanaf mijn ",
    "inviato da iphone",
    "inviato dal mio ",
    "obtenir outlook pour ",
    "outlook für ios",
    "outlook für android",
    "obtener outlook para ",
    "obter o outlook para ",
];

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

fn is_quote(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// Lowercase line without leading decoration (spaces, `*` from bold labels).
fn label_text(line: &str) -> String {
    line.trim_start_matches(|c: char| c.is_whitespace() || c == '*')
        .to_lowercase()
}

fn is_forward_marker(line: &str) -> bool {
    let t = line.trim().to_lowercase();
    if t.starts_with('-') && FORWARD_RULE_WORDS.iter().any(|w| t.contains(w)) {
        return true;
    }
    FORWARD_LINES.iter().any(|w| t.starts_with(w))
}

fn is_original_message(line: &str) -> bool {
    let t = line.trim().to_lowercase();
    if !t.starts_with("---") {
        return false;
    }
    let inner = t.trim_matches(|c: char| c == '-' || c.is_whitespace());
    ORIGINAL_MESSAGE.contains(&inner)
}

fn is_underscore_rule(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 30 && t.bytes().all(|b| b == b'_')
}

/// An attribution starting at line `i`, possibly wrapped over a few lines.
fn is_attribution(lines: &[&str], i: usize) -> bool {
    let first = lines[i].trim().to_lowercase();
    if first.is_empty() || is_quote(&first) {
        return false;
    }
    let mut joined = String::new();
    for line in lines.iter().skip(i).take(MAX_ATTRIBUTION_LINES) {
        let line = line.trim();
        if line.is_empty() || is_quote(line) {
            break;
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(&line.to_lowercase());
        if joined.len() > 400 {
            return false;
        }
        // A date or an address makes it an attribution rather than prose.
        let plausible = joined.contains(|c: char| c.is_ascii_digit() || c == '@');
        for (start, ends) in ATTRIBUTIONS {
            if !joined.starts_with(start) || !plausible || !ends.iter().any(|e| joined.ends_with(e))
            {
                continue;
            }
            // Some only end in ":", so require their verb too.
            let verb_ok = match *start {
                "am " => joined.contains("schrieb"),
                "op " => joined.contains("schreef") || joined.contains("geschreven"),
                "den " => joined.contains("skrev"),
                "w dniu " => joined.contains("napisa"),
                _ => true,
            };
            if verb_ok {
                return true;
            }
        }
    }
    // "jo@example.org wrote:" directly followed by quoted lines.
    if ATTRIBUTION_ENDINGS.iter().any(|e| first.ends_with(e)) {
        let next = lines.iter().skip(i + 1).find(|l| !is_blank(l));
        return next.is_some_and(|l| is_quote(l));
    }
    false
}

/// A quoted-header block at line `i`: Outlook's "From: / Sent: / To: /
/// Subject:", or Hotmail's, which starts with "Date:".
fn is_header_block(lines: &[&str], i: usize) -> bool {
    let first = label_text(lines[i]);
    let starts_from = FROM_LABELS.iter().any(|l| first.starts_with(l));
    let starts_date = SENT_LABELS.iter().any(|l| first.starts_with(l));
    if !starts_from && !starts_date {
        return false;
    }
    let window = lines
        .iter()
        .skip(i + 1)
        .take(HEADER_BLOCK_WINDOW)
        .map(|l| label_text(l));
    let (mut from, mut sent, mut subject) = (starts_from, starts_date, false);
    for line in window {
        from |= FROM_LABELS.iter().any(|l| line.starts_with(l));
        sent |= SENT_LABELS.iter().any(|l| line.starts_with(l));
        subject |= SUBJECT_LABELS.iter().any(|l| line.starts_with(l));
    }
    from && sent && subject
}

/// A device footer ("Sent from my iPhone"), not a sentence that happens to
/// start the same way ("Sent from my desk, it is much easier…").
fn is_mobile_signature(line: &str) -> bool {
    let t = line.trim().to_lowercase();
    t.len() < 120
        && t.split_whitespace().count() <= 7
        && !t.contains([',', ';', '?', '!'])
        && MOBILE_SIGNATURES.iter().any(|s| t.starts_with(s))
}

fn is_signature_delimiter(line: &str) -> bool {
    line == "-- " || line.trim_end() == "--"
}

/// Index of the first line of quoted history, if any, searching `lines`.
fn quote_start(lines: &[&str]) -> Option<usize> {
    for i in 0..lines.len() {
        let line = lines[i];
        if is_blank(line) {
            continue;
        }
        if is_attribution(lines, i)
            || is_original_message(line)
            || is_underscore_rule(line)
            || is_header_block(lines, i)
        {
            return Some(i);
        }
    }
    // A trailing block of quoted lines: the quote lines after the last line
    // of new text.
    let last_text = lines.iter().rposition(|l| !is_blank(l) && !is_quote(l));
    let from = last_text.map_or(0, |i| i + 1);
    lines[from..]
        .iter()
        .position(|l| is_quote(l))
        .map(|p| from + p)
}

/// The customer's words below the cut: text written under the attribution
/// line, or after (or between) the ">" quoted lines. Only when the history
/// is ">"-quoted; an unquoted Outlook block below the cut is all history.
fn text_below(lines: &[&str], cut: usize) -> String {
    let rest = &lines[cut..];
    if !rest.iter().any(|l| is_quote(l)) {
        return String::new();
    }
    // Skip the attribution itself (it may wrap over a few lines).
    let mut from = 0;
    if is_attribution(lines, cut) {
        for (k, line) in rest.iter().enumerate().take(MAX_ATTRIBUTION_LINES) {
            if is_blank(line) || is_quote(line) {
                break;
            }
            from = k + 1;
            if line.trim_end().ends_with(':') {
                break;
            }
        }
    }
    let below: Vec<&str> = rest[from..]
        .iter()
        .copied()
        .filter(|l| !is_quote(l))
        .collect();
    tidy(strip_signature(&below))
}

/// Drops a signature at the end of `lines`.
fn strip_signature<'a>(mut lines: &'a [&'a str]) -> &'a [&'a str] {
    if let Some(i) = lines.iter().position(|l| is_signature_delimiter(l)) {
        lines = &lines[..i];
    }
    // Mobile footers, possibly stacked ("Sent from my iPhone" then blank lines).
    while let Some(last) = lines.iter().rposition(|l| !is_blank(l)) {
        if !is_mobile_signature(lines[last]) {
            break;
        }
        lines = &lines[..last];
    }
    lines
}

/// Lines trimmed at the end, leading and trailing blank lines removed.
fn tidy(lines: &[&str]) -> String {
    let start = lines.iter().position(|l| !is_blank(l));
    let end = lines.iter().rposition(|l| !is_blank(l));
    match (start, end) {
        (Some(s), Some(e)) => lines[s..=e]
            .iter()
            .map(|l| l.trim_end())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Only the new text of a reply: strips quoted history (">" lines after the
/// new text, "On ... wrote:" and its French, German, Spanish, Portuguese,
/// Dutch and Italian forms, Outlook's "-----Original Message-----" and
/// "From:/Sent:/To:/Subject:" blocks, underscore separators) and signatures
/// ("-- ", "Sent from my iPhone" and the like). A forwarded message stays,
/// and so does text written below the attribution or the quote. If
/// stripping leaves nothing, the original text is returned, trimmed: a
/// customer's message is never lost.
pub fn reply_text(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.split('\n').collect();
    // Everything after an inline-forward marker is the forwarded message.
    let forward = lines.iter().position(|l| is_forward_marker(l));
    let searched = &lines[..forward.unwrap_or(lines.len())];
    let cut = quote_start(searched);
    let kept: &[&str] = match (cut, forward) {
        (Some(c), _) => &lines[..c],
        (None, Some(_)) => &lines,
        (None, None) => &lines,
    };
    let below = cut.map(|c| text_below(searched, c)).unwrap_or_default();
    let without_quotes = tidy(kept);
    if without_quotes.is_empty() && below.is_empty() {
        return normalized.trim().to_owned();
    }
    // A signature is only looked for before a forwarded message.
    let signature_area = match (cut, forward) {
        (None, Some(f)) => &lines[..f],
        _ => kept,
    };
    let without_signature = strip_signature(signature_area);
    let mut result = tidy(without_signature);
    if !below.is_empty() {
        if !result.is_empty() {
            result.push_str("\n\n");
        }
        result.push_str(&below);
    }
    if cut.is_none()
        && let Some(f) = forward
    {
        let forwarded = tidy(&lines[f..]);
        if result.is_empty() {
            result = forwarded;
        } else {
            result.push_str("\n\n");
            result.push_str(&forwarded);
        }
    }
    if result.is_empty() {
        normalized.trim().to_owned()
    } else {
        result
    }
}
