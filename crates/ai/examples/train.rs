//! Trains the learned judgements on `crates/ai/corpus/*.jsonl` and writes
//! `crates/ai/model/triage.bin`.
//!
//!     cargo run --profile host -p baton-ai --example train
//!
//! Twice: on the train split alone, reporting the dev split (for choosing
//! settings), then on train + dev, reporting the test split (never used to
//! choose anything) and the separate English evaluation set; the second
//! model is the one written.

#[path = "shared/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use baton_ai::Role;
use baton_ai::features::extract;
use baton_ai::model::train::{Example, Options, Trained, fit};
use baton_ai::model::{Head, Model, predict_from_logits};
use corpus::{Line, Split, split_of};
use std::collections::BTreeMap;

fn label(head: Head, line: &Line) -> Option<usize> {
    let e = &line.expected;
    let value = match head {
        Head::Category => e["category"].as_str()?.to_string(),
        Head::Priority => e["priority"].as_str()?.to_string(),
        Head::Trigger => match e["trigger"].as_str()? {
            "low_confidence" => "none".to_string(),
            t => t.to_string(),
        },
        Head::Sentiment => e["sentiment"].as_str()?.to_string(),
        Head::Language => line.language.clone(),
        Head::Safety => {
            if e["safety"].as_bool()? {
                "yes".into()
            } else {
                "no".into()
            }
        }
    };
    head.classes().iter().position(|c| *c == value)
}

fn example(line: &Line) -> Example {
    let features = extract(
        line.messages
            .iter()
            .map(|m| (m.role == Role::Customer, m.text.as_str())),
    );
    let mut labels = [None; 6];
    for head in Head::ALL {
        labels[head.index()] = label(head, line);
    }
    Example { features, labels }
}

/// Accuracy per judgement, overall and per language.
fn report(title: &str, model: &Trained, lines: &[&Line]) {
    let mut right: BTreeMap<(String, &str), (usize, usize)> = BTreeMap::new();
    // As shipped: through the quantized file.
    let bytes = model.to_bytes(0);
    let shipped = Model::parse(&bytes).expect("the trainer writes a readable file");
    for line in lines {
        let ex = example(line);
        let p = predict_from_logits(&shipped.logits(&ex.features));
        for head in Head::ALL {
            let Some(want) = ex.labels[head.index()] else {
                continue;
            };
            let hit = p.best(head).0 == want;
            for lang in ["all".to_string(), line.language.clone()] {
                let e = right.entry((lang, head_name(head))).or_default();
                e.0 += usize::from(hit);
                e.1 += 1;
            }
        }
    }
    println!(
        "\n{title} ({} conversations): accuracy of the model alone",
        lines.len()
    );
    let langs: Vec<String> = {
        let mut l: Vec<String> = right.keys().map(|(l, _)| l.clone()).collect();
        l.dedup();
        l
    };
    print!("{:<10}", "");
    for h in Head::ALL {
        print!("{:>12}", head_name(h));
    }
    println!();
    for lang in langs {
        print!("{lang:<10}");
        for h in Head::ALL {
            match right.get(&(lang.clone(), head_name(h))) {
                Some((r, n)) if *n > 0 => {
                    print!("{:>12}", format!("{:.3} ({n})", *r as f64 / *n as f64))
                }
                _ => print!("{:>12}", "-"),
            }
        }
        println!();
    }
}

fn head_name(h: Head) -> &'static str {
    match h {
        Head::Category => "category",
        Head::Priority => "priority",
        Head::Trigger => "trigger",
        Head::Sentiment => "sentiment",
        Head::Language => "language",
        Head::Safety => "safety",
    }
}

fn main() {
    let lines = corpus::load_corpus();
    assert!(
        !lines.is_empty(),
        "no corpus in {}",
        corpus::corpus_dir().display()
    );
    let of = |s: &[Split]| -> Vec<&Line> {
        lines
            .iter()
            .filter(|l| s.contains(&split_of(&l.id)))
            .collect()
    };
    let (train, dev, test) = (of(&[Split::Train]), of(&[Split::Dev]), of(&[Split::Test]));
    println!(
        "corpus: {} conversations; train {}, dev {}, test {}",
        lines.len(),
        train.len(),
        dev.len(),
        test.len()
    );
    // Settings may be varied for a dev-split comparison (TRAIN_EPOCHS,
    // TRAIN_RATE, TRAIN_L2); the defaults are what ships.
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<f32>().ok());
    let defaults = Options::default();
    let options = Options {
        epochs: env("TRAIN_EPOCHS").map_or(defaults.epochs, |v| v as usize),
        learning_rate: env("TRAIN_RATE").unwrap_or(defaults.learning_rate),
        l2: env("TRAIN_L2").unwrap_or(defaults.l2),
        seed: defaults.seed,
    };
    let first = fit(
        &train.iter().map(|l| example(l)).collect::<Vec<_>>(),
        &options,
    );
    report("dev split (model trained on train)", &first, &dev);

    let train_dev = of(&[Split::Train, Split::Dev]);
    let final_model = fit(
        &train_dev.iter().map(|l| example(l)).collect::<Vec<_>>(),
        &options,
    );
    report(
        "TEST split (model trained on train + dev)",
        &final_model,
        &test,
    );
    let eval = corpus::eval_set();
    report(
        "English evaluation set (crates/ai/eval, not trained on)",
        &final_model,
        &eval.iter().collect::<Vec<_>>(),
    );

    // TRAIN_ONLY=1 ships the train-only model instead, so that the full
    // pipeline's settings (rules and thresholds) can be chosen on dev with
    // `--example eval`; retrain without it before committing.
    let shipped = if std::env::var_os("TRAIN_ONLY").is_some() {
        &first
    } else {
        &final_model
    };
    let bytes = shipped.to_bytes(corpus::fingerprint());
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("model/triage.bin");
    std::fs::write(&out, &bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
    println!("\nwrote {} ({} bytes)", out.display(), bytes.len());
}
