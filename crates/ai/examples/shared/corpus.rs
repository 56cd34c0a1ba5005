//! The labelled conversations (training corpus and evaluation set) as the
//! examples read them, and the fixed train / dev / test split.

use baton_ai::{Known, Message};
use serde_json::Value;

pub struct Line {
    pub id: String,
    pub language: String,
    pub messages: Vec<Message>,
    pub ai_confidence: Option<f64>,
    pub known: Known,
    pub expected: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    /// For choosing settings and thresholds.
    Dev,
    /// Never looked at while tuning: the figures that count.
    Test,
}

/// Fixed by the id alone, before any training: 20 % test, 10 % dev.
pub fn split_of(id: &str) -> Split {
    match baton_ai::features::hash(id) % 10 {
        0 | 1 => Split::Test,
        2 => Split::Dev,
        _ => Split::Train,
    }
}

pub fn corpus_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

pub fn parse_file(path: &std::path::Path) -> Vec<Line> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1));
            let messages = v["messages"]
                .as_array()
                .unwrap_or_else(|| panic!("{}:{}: no messages", path.display(), i + 1))
                .iter()
                .map(|m| {
                    let text = m["text"].as_str().unwrap_or_default();
                    if m["role"] == "customer" {
                        Message::customer(text)
                    } else {
                        Message::assistant(text)
                    }
                })
                .collect();
            let c = &v["customer"];
            let s = |k: &str| c[k].as_str().map(String::from);
            Line {
                id: v["id"].as_str().unwrap_or_default().to_string(),
                language: v["language"].as_str().unwrap_or("en").to_string(),
                messages,
                ai_confidence: v["ai_confidence"].as_f64(),
                known: Known {
                    name: s("name"),
                    email: s("email"),
                    phone: s("phone"),
                },
                expected: v["expected"].clone(),
            }
        })
        .collect()
}

/// Every `corpus/*.jsonl`, in file-name order.
pub fn load_corpus() -> Vec<Line> {
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "jsonl"));
    files.sort();
    files.iter().flat_map(|p| parse_file(p)).collect()
}

pub fn eval_set() -> Vec<Line> {
    parse_file(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/transcripts.jsonl"))
}

/// The corpus fingerprint the model file records.
pub fn fingerprint() -> u32 {
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "jsonl"));
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    baton_ai::model::corpus_fingerprint(&refs)
}
