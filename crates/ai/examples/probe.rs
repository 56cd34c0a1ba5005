//! Prints the shipped model's probabilities for one customer message:
//!
//!     cargo run --profile host -p baton-ai --example probe "my order never came"
use baton_ai::model::{Head, Model};
fn main() {
    let text = std::env::args()
        .nth(1)
        .expect("usage: probe \"customer text\"");
    let f = baton_ai::features::extract([(true, text.as_str())]);
    let p = Model::embedded().predict(&f);
    for h in Head::ALL {
        let v: Vec<String> = h
            .classes()
            .iter()
            .zip(p.of(h))
            .map(|(c, x)| format!("{c}:{x:.2}"))
            .collect();
        println!("{:?}: {}", h, v.join(" "));
    }
}
