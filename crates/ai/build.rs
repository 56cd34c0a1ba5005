//! Stems the lexicon's phrases at compile time and writes sorted tables, so
//! a component (a fresh instance per request) never rebuilds an index.

#[path = "src/text.rs"]
#[allow(dead_code)]
mod text;

#[path = "src/lexicon.rs"]
#[allow(dead_code)]
mod lexicon;

#[derive(Debug, Clone, Copy)]
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

use std::fmt::Write;

/// `static NAME: &[(&str, &[&str], TYPE)] = &[...]`, sorted by first stem.
fn table(out: &mut String, name: &str, ty: &str, entries: Vec<(&str, String)>) {
    let mut rows: Vec<(Vec<String>, String)> = entries
        .into_iter()
        .map(|(phrase, payload)| (text::stems_of(phrase), payload))
        .filter(|(stems, _)| !stems.is_empty())
        .collect();
    rows.sort_by(|a, b| a.0[0].cmp(&b.0[0]));
    writeln!(out, "pub static {name}: &[(&str, &[&str], {ty})] = &[").unwrap();
    for (stems, payload) in rows {
        writeln!(out, "    ({:?}, &{:?}, {payload}),", stems[0], stems).unwrap();
    }
    writeln!(out, "];").unwrap();
}

fn main() {
    println!("cargo:rerun-if-changed=src/lexicon.rs");
    println!("cargo:rerun-if-changed=src/text.rs");
    use lexicon::*;
    let mut out = String::new();
    table(
        &mut out,
        "CATEGORY",
        "(Category, f32)",
        CATEGORY_PHRASES
            .iter()
            .map(|(p, c, w)| (*p, format!("(Category::{c:?}, {w:?})")))
            .collect(),
    );
    table(
        &mut out,
        "SENSITIVE",
        "(&str, f32)",
        SENSITIVE_PHRASES
            .iter()
            .map(|(p, k, w)| (*p, format!("({k:?}, {w:?})")))
            .collect(),
    );
    table(
        &mut out,
        "FRUSTRATION",
        "f32",
        FRUSTRATION_PHRASES
            .iter()
            .map(|(p, w)| (*p, format!("{w:?}")))
            .collect(),
    );
    table(
        &mut out,
        "PRIORITY",
        "(&str, f32)",
        PRIORITY_PHRASES
            .iter()
            .map(|(p, f, w)| (*p, format!("({f:?}, {w:?})")))
            .collect(),
    );
    table(
        &mut out,
        "TAGS",
        "&str",
        TAG_PHRASES
            .iter()
            .map(|(p, t)| (*p, format!("{t:?}")))
            .collect(),
    );
    table(
        &mut out,
        "POSITIVE",
        "f32",
        POSITIVE_WORDS
            .iter()
            .map(|(p, w)| (*p, format!("{w:?}")))
            .collect(),
    );
    table(
        &mut out,
        "NEGATIVE",
        "()",
        NEGATIVE_WORDS
            .iter()
            .map(|p| (*p, "()".to_string()))
            .collect(),
    );
    table(
        &mut out,
        "QUESTIONS",
        "()",
        QUESTION_OPENERS
            .iter()
            .map(|p| (*p, "()".to_string()))
            .collect(),
    );
    writeln!(out, "pub static HUMAN: &[&[&str]] = &[").unwrap();
    for p in HUMAN_REQUEST_PHRASES {
        writeln!(out, "    &{:?},", text::stems_of(p)).unwrap();
    }
    writeln!(out, "];").unwrap();
    let dest = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("lexicon_index.rs");
    std::fs::write(dest, out).unwrap();
}
