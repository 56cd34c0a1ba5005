#[path = "shared/corpus.rs"]
#[allow(dead_code)]
mod corpus;
use baton_ai::Role;
use baton_ai::multilingual::{RuleKind, scan};
use corpus::{Split, load_corpus, split_of};

fn main() {
    let (mut fp, mut fnn) = (0, 0);
    for line in load_corpus() {
        if split_of(&line.id) == Split::Test {
            continue;
        }
        let customer: Vec<&str> = line
            .messages
            .iter()
            .filter(|m| m.role == Role::Customer)
            .map(|m| m.text.as_str())
            .collect();
        let hits = scan(&customer);
        let e = &line.expected;
        let trig = e["trigger"].as_str().unwrap_or("");
        let safety = e["safety"].as_bool().unwrap_or(false);
        let has = |k: RuleKind| hits.iter().any(|h| h.kind == k);
        let sens = has(RuleKind::Safety) || has(RuleKind::Legal) || has(RuleKind::Security);
        if safety && !has(RuleKind::Safety) {
            fnn += 1;
            println!("MISS safety {} :: {}", line.id, customer.join(" | "));
        }
        if !safety && has(RuleKind::Safety) {
            fp += 1;
            println!(
                "FP safety {} {:?} :: {}",
                line.id,
                hits,
                customer.join(" | ")
            );
        }
        if trig == "sensitive" && !safety && !sens {
            fnn += 1;
            println!("MISS sensitive {} :: {}", line.id, customer.join(" | "));
        }
        if trig != "sensitive" && sens && !(safety) {
            fp += 1;
            println!(
                "FP sensitive {} {:?} :: {}",
                line.id,
                hits,
                customer.join(" | ")
            );
        }
        if trig == "phrase" && !has(RuleKind::HumanRequest) {
            println!("MISS phrase {} :: {}", line.id, customer.join(" | "));
        }
        if trig != "phrase" && trig != "sensitive" && has(RuleKind::HumanRequest) {
            fp += 1;
            println!(
                "FP phrase {} {:?} :: {}",
                line.id,
                hits,
                customer.join(" | ")
            );
        }
    }
    println!("misses {fnn} false positives {fp}");
}
