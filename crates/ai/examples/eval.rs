//! Evaluates the built-in AI on the labelled transcripts in
//! `eval/transcripts.jsonl` (or a file given as the first argument) and
//! prints precision, recall and accuracy per field, plus analysis time.
//!
//!     cargo run --profile host -p baton-ai --example eval [file.jsonl]

use baton_ai::{BotSettings, History, Input, Known, Message, Role, analyse};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Default)]
struct Confusion {
    tp: f64,
    fp: f64,
    fn_: f64,
}

impl Confusion {
    fn add_sets(&mut self, expected: &[String], got: &[String]) {
        for g in got {
            if expected.contains(g) {
                self.tp += 1.0
            } else {
                self.fp += 1.0
            }
        }
        for e in expected {
            if !got.contains(e) {
                self.fn_ += 1.0;
            }
        }
    }
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0.0 {
            1.0
        } else {
            self.tp / (self.tp + self.fp)
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0.0 {
            1.0
        } else {
            self.tp / (self.tp + self.fn_)
        }
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/eval/transcripts.jsonl").to_string()
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let verbose = std::env::var_os("EVAL_VERBOSE").is_some();
    let bot = BotSettings::default();
    let mut n = 0usize;
    let mut exact: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_class: BTreeMap<String, Confusion> = BTreeMap::new();
    let mut priority_within_one = 0usize;
    let mut escalate = Confusion::default();
    let mut emails = Confusion::default();
    let mut orders = Confusion::default();
    let mut names = Confusion::default();
    let mut times = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("each line is a JSON object");
        let messages: Vec<Message> = case["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| Message {
                role: if m["role"] == "assistant" {
                    Role::Assistant
                } else {
                    Role::Customer
                },
                text: m["text"].as_str().unwrap_or("").to_string(),
            })
            .collect();
        let known = Known::default();
        let history = History::default();
        let input = Input {
            messages: &messages,
            ai_confidence: case["ai_confidence"].as_f64(),
            known: &known,
            history: &history,
            bot: &bot,
        };
        let start = Instant::now();
        let a = analyse(&input);
        times.push(start.elapsed());
        let x = &case["expected"];
        n += 1;
        let mut check = |field: &'static str, expected: &str, got: &str| {
            if expected == got {
                *exact.entry(field).or_default() += 1;
            } else if verbose {
                println!("{} {field}: expected {expected}, got {got}", case["id"]);
            }
            let e = per_class.entry(format!("{field}={expected}")).or_default();
            if expected == got {
                e.tp += 1.0
            } else {
                e.fn_ += 1.0
            }
            if expected != got {
                per_class.entry(format!("{field}={got}")).or_default().fp += 1.0;
            }
        };
        check(
            "category",
            x["category"].as_str().unwrap_or(""),
            a.category.value.slug(),
        );
        check(
            "priority",
            x["priority"].as_str().unwrap_or(""),
            a.priority.value.slug(),
        );
        check(
            "sentiment",
            x["sentiment"].as_str().unwrap_or(""),
            a.sentiment.value.slug(),
        );
        let trigger = a
            .decision
            .trigger
            .as_ref()
            .map_or("none", |t| t.kind.slug());
        check("trigger", x["trigger"].as_str().unwrap_or(""), trigger);
        let ep = baton_ai::Priority::parse(x["priority"].as_str().unwrap_or(""))
            .map_or(-9, |p| p.rank());
        if (ep - a.priority.value.rank()).abs() <= 1 {
            priority_within_one += 1;
        }
        let exp_esc = x["escalate"].as_bool().unwrap_or(false);
        match (exp_esc, a.decision.escalate) {
            (true, true) => escalate.tp += 1.0,
            (false, true) => escalate.fp += 1.0,
            (true, false) => escalate.fn_ += 1.0,
            _ => {}
        }
        if exp_esc == a.decision.escalate {
            *exact.entry("escalate").or_default() += 1;
        } else if verbose {
            println!(
                "{} escalate: expected {exp_esc}, got {} ({})",
                case["id"], a.decision.escalate, a.decision.reason
            );
        }
        let (ee, oo) = (strings(&x["emails"]), strings(&x["order_numbers"]));
        if verbose && ee != a.details.emails {
            println!(
                "{} emails: expected {ee:?}, got {:?}",
                case["id"], a.details.emails
            );
        }
        if verbose && oo != a.details.order_numbers {
            println!(
                "{} orders: expected {oo:?}, got {:?}",
                case["id"], a.details.order_numbers
            );
        }
        emails.add_sets(&ee, &a.details.emails);
        orders.add_sets(&oo, &a.details.order_numbers);
        let expected_name: Vec<String> = x["name"]
            .as_str()
            .map(|s| vec![s.to_lowercase()])
            .unwrap_or_default();
        let got_name: Vec<String> = a.details.name.iter().map(|s| s.to_lowercase()).collect();
        if verbose && expected_name != got_name {
            println!(
                "{} name: expected {expected_name:?}, got {got_name:?}",
                case["id"]
            );
        }
        names.add_sets(&expected_name, &got_name);
    }
    let acc = |f: &str| *exact.get(f).unwrap_or(&0) as f64 / n as f64;
    println!("Baton built-in AI on {n} transcripts ({path})\n");
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>9}",
        "field", "accuracy", "precision", "recall", "F1"
    );
    for field in ["category", "priority", "sentiment", "trigger"] {
        println!("{field:<28} {:>9.3}", acc(field));
    }
    println!(
        "{:<28} {:>9.3}",
        "priority within one level",
        priority_within_one as f64 / n as f64
    );
    println!(
        "{:<28} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
        "escalate (decision)",
        acc("escalate"),
        escalate.precision(),
        escalate.recall(),
        escalate.f1()
    );
    println!(
        "{:<28} {:>9} {:>9.3} {:>9.3} {:>9.3}",
        "emails (extraction)",
        "",
        emails.precision(),
        emails.recall(),
        emails.f1()
    );
    println!(
        "{:<28} {:>9} {:>9.3} {:>9.3} {:>9.3}",
        "order numbers (extraction)",
        "",
        orders.precision(),
        orders.recall(),
        orders.f1()
    );
    println!(
        "{:<28} {:>9} {:>9.3} {:>9.3} {:>9.3}",
        "customer name (extraction)",
        "",
        names.precision(),
        names.recall(),
        names.f1()
    );
    println!("\nper class (precision / recall / support):");
    for (class, c) in &per_class {
        println!(
            "  {class:<30} {:>6.3} {:>6.3} {:>5}",
            c.precision(),
            c.recall(),
            (c.tp + c.fn_) as usize
        );
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "\nanalysis time per transcript: p50 {:?}, p99 {:?}, max {:?}",
        pct(0.5),
        pct(0.99),
        times[times.len() - 1]
    );
}
