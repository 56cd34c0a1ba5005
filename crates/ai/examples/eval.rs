//! Measures the built-in AI (rules and the shipped model together, as the
//! product runs it) and prints, per set and per language: category,
//! priority (exact and within one), hand-off F1, sentiment, language,
//! safety (every safety case High or Urgent and handed off), email and
//! order-number extraction, confusion matrices, analysis time, and the
//! learning-from-the-team simulation.
//!
//!     cargo run --profile host -p baton-ai --example eval            # dev, test, eval set
//!     cargo run --profile host -p baton-ai --example eval -- FILE    # any labelled file
//!     EVAL_VERBOSE=1 …                                               # every miss
//!
//! Sets: the corpus's dev split (tuning may look at it), its TEST split
//! (fixed by id before training, never used to choose anything), and the
//! separate English set in `eval/` (written before the corpus, never
//! trained on). Only test and eval-set figures are results.

#[path = "shared/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use baton_ai::learn::{Adjustments, correction};
use baton_ai::model::Head;
use baton_ai::triage::{TUNING, Tuning};
use baton_ai::{
    Analysis, BotSettings, Category, History, Input, analyse_tuned, learning_features_of, scores,
};
use corpus::{Line, Split, split_of};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Default, Clone, Copy)]
struct Count {
    tp: f64,
    fp: f64,
    fn_: f64,
}

impl Count {
    fn f1(&self) -> f64 {
        let p = if self.tp + self.fp == 0.0 {
            1.0
        } else {
            self.tp / (self.tp + self.fp)
        };
        let r = if self.tp + self.fn_ == 0.0 {
            1.0
        } else {
            self.tp / (self.tp + self.fn_)
        };
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn sets(&mut self, expected: &[String], got: &[String]) {
        for g in got {
            if expected.contains(g) {
                self.tp += 1.0
            } else {
                self.fp += 1.0
            }
        }
        self.fn_ += expected.iter().filter(|e| !got.contains(e)).count() as f64;
    }
}

#[derive(Default)]
struct Tally {
    n: usize,
    category: usize,
    priority: usize,
    priority_within_one: usize,
    sentiment: usize,
    language: usize,
    handoff: Count,
    safety_cases: usize,
    safety_ok: usize,
    emails: Count,
    orders: Count,
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

fn rank(p: &str) -> i32 {
    baton_ai::Priority::parse(p).map_or(-9, |p| p.rank())
}

fn run(line: &Line, adjustments: &Adjustments) -> Analysis {
    let bot = BotSettings::default();
    // EVAL_ENGLISH_RULES varies the English lexicon's weight for a dev
    // comparison (with a TRAIN_ONLY model); the default is what ships.
    let tuning = Tuning {
        english_rules: std::env::var("EVAL_ENGLISH_RULES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(TUNING.english_rules),
        ..TUNING
    };
    analyse_tuned(
        &Input {
            messages: &line.messages,
            ai_confidence: line.ai_confidence,
            known: &line.known,
            history: &History::default(),
            bot: &bot,
        },
        adjustments,
        &tuning,
    )
}

fn score(title: &str, lines: &[&Line], verbose: bool, times: &mut Vec<Duration>) {
    let mut by_lang: BTreeMap<String, Tally> = BTreeMap::new();
    let mut confusion: BTreeMap<(&'static str, String, String), usize> = BTreeMap::new();
    for line in lines {
        let started = Instant::now();
        let a = run(line, &Adjustments::default());
        times.push(started.elapsed());
        let x = &line.expected;
        let got = [
            ("category", a.category.value.slug().to_string()),
            ("priority", a.priority.value.slug().to_string()),
            ("sentiment", a.sentiment.value.slug().to_string()),
        ];
        for lang in ["all".to_string(), line.language.clone()] {
            let t = by_lang.entry(lang).or_default();
            t.n += 1;
            for (field, value) in &got {
                if x[*field].as_str() == Some(value.as_str()) {
                    match *field {
                        "category" => t.category += 1,
                        "priority" => t.priority += 1,
                        _ => t.sentiment += 1,
                    }
                }
            }
            if (rank(x["priority"].as_str().unwrap_or("")) - a.priority.value.rank()).abs() <= 1 {
                t.priority_within_one += 1;
            }
            if a.language.value.code() == line.language {
                t.language += 1;
            }
            let want = x["escalate"].as_bool().unwrap_or(false);
            match (want, a.decision.escalate) {
                (true, true) => t.handoff.tp += 1.0,
                (false, true) => t.handoff.fp += 1.0,
                (true, false) => t.handoff.fn_ += 1.0,
                _ => {}
            }
            if x["safety"].as_bool() == Some(true) {
                t.safety_cases += 1;
                if a.decision.escalate && a.priority.value >= baton_ai::Priority::High {
                    t.safety_ok += 1;
                }
            }
            t.emails.sets(&strings(&x["emails"]), &a.details.emails);
            t.orders
                .sets(&strings(&x["order_numbers"]), &a.details.order_numbers);
        }
        for (field, value) in &got {
            let want = x[*field].as_str().unwrap_or("").to_string();
            if verbose && want != *value {
                println!("  {} {field}: expected {want}, got {value}", line.id);
            }
            *confusion.entry((field, want, value.clone())).or_default() += 1;
        }
        if verbose && x["escalate"].as_bool() != Some(a.decision.escalate) {
            println!(
                "  {} hand-off: expected {}, got {} ({})",
                line.id, x["escalate"], a.decision.escalate, a.decision.reason
            );
        }
    }
    println!("\n== {title}: {} conversations", lines.len());
    println!(
        "{:<6} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "lang",
        "n",
        "category",
        "priority",
        "prio±1",
        "handoffF1",
        "sentiment",
        "language",
        "safety",
        "emailsF1",
        "ordersF1"
    );
    for (lang, t) in &by_lang {
        let r = |k: usize| k as f64 / t.n.max(1) as f64;
        let safety = if t.safety_cases == 0 {
            "-".to_string()
        } else {
            format!("{}/{}", t.safety_ok, t.safety_cases)
        };
        println!(
            "{lang:<6} {:>5} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9} {:>9.3} {:>9.3}",
            t.n,
            r(t.category),
            r(t.priority),
            r(t.priority_within_one),
            t.handoff.f1(),
            r(t.sentiment),
            r(t.language),
            safety,
            t.emails.f1(),
            t.orders.f1()
        );
    }
    for field in ["category", "priority"] {
        let classes: Vec<String> = match field {
            "category" => Category::ALL.iter().map(|c| c.slug().to_string()).collect(),
            _ => ["low", "medium", "high", "urgent"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        println!("\n{field} confusion (rows: expected, columns: got)");
        print!("{:>15}", "");
        for c in &classes {
            print!("{:>8}", &c[..c.len().min(7)]);
        }
        println!();
        for want in &classes {
            print!("{:>15}", want);
            for got in &classes {
                print!(
                    "{:>8}",
                    confusion
                        .get(&(field, want.clone(), got.clone()))
                        .unwrap_or(&0)
                );
            }
            println!();
        }
    }
}

/// A team corrects the category of the first `n` conversations of a
/// held-out stream; accuracy on the next ones before and after.
fn learning_simulation(stream: &[&Line], n: usize) {
    if stream.len() <= n + 10 {
        return;
    }
    let (teach, later) = stream.split_at(n);
    let accuracy = |adj: &Adjustments| {
        later
            .iter()
            .filter(|l| l.expected["category"].as_str() == Some(run(l, adj).category.value.slug()))
            .count() as f64
            / later.len() as f64
    };
    let before = accuracy(&Adjustments::default());
    let mut adj = Adjustments::default();
    let mut corrected = 0;
    for l in teach {
        let want = l.expected["category"].as_str().unwrap_or("general");
        if run(l, &adj).category.value.slug() != want {
            let f = learning_features_of(&l.messages);
            adj.add(&correction(
                &f,
                &scores(&l.messages, &adj),
                Head::Category,
                want,
            ));
            corrected += 1;
        }
    }
    let after = accuracy(&adj);
    println!(
        "\nlearning from the team: {corrected} corrections among the first {n} of a held-out stream; category on the next {}: {before:.3} before, {after:.3} after ({} adjustment weights)",
        later.len(),
        adj.entries.len()
    );
}

fn main() {
    let verbose = std::env::var_os("EVAL_VERBOSE").is_some();
    let mut times = Vec::new();
    if let Some(path) = std::env::args().nth(1) {
        let lines = corpus::parse_file(std::path::Path::new(&path));
        score(
            &path,
            &lines.iter().collect::<Vec<_>>(),
            verbose,
            &mut times,
        );
    } else {
        let lines = corpus::load_corpus();
        let of =
            |s: Split| -> Vec<&Line> { lines.iter().filter(|l| split_of(&l.id) == s).collect() };
        score(
            "corpus DEV split (used for tuning)",
            &of(Split::Dev),
            verbose,
            &mut times,
        );
        let test = of(Split::Test);
        score(
            "corpus TEST split (never tuned on)",
            &test,
            verbose,
            &mut times,
        );
        let eval = corpus::eval_set();
        let eval_refs: Vec<&Line> = eval.iter().collect();
        score(
            "English evaluation set, crates/ai/eval (never trained on)",
            &eval_refs,
            verbose,
            &mut times,
        );
        // The test split and the eval set as one unseen stream, mixed by id.
        let mut stream = test.clone();
        stream.extend(eval_refs.iter().copied());
        stream.sort_by_key(|l| baton_ai::features::hash(&format!("stream:{}", l.id)));
        learning_simulation(&stream, stream.len() / 2);
    }
    times.sort();
    if !times.is_empty() {
        let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "\nanalysis time per conversation: p50 {:?}, p99 {:?}, max {:?}",
            pct(0.5),
            pct(0.99),
            times[times.len() - 1]
        );
    }
}
