//! The learned part of triage: one multinomial logistic regression per
//! judgement (category, priority, hand-off trigger, sentiment, language,
//! safety) over the hashed features of [`crate::features`], trained on the
//! hand-labelled multilingual corpus in `crates/ai/corpus/` by
//! `cargo run --profile host -p baton-ai --example train` and shipped as
//! `crates/ai/model/triage.bin` (4-bit weights, a scale and float biases per
//! judgement), read in place from the component's data: nothing is built
//! per request.

use crate::features::{BUCKETS, Features};

/// The judgements, in the file's order, with their class labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head {
    Category,
    Priority,
    Trigger,
    Sentiment,
    Language,
    Safety,
}

impl Head {
    pub const ALL: [Head; 6] = [
        Head::Category,
        Head::Priority,
        Head::Trigger,
        Head::Sentiment,
        Head::Language,
        Head::Safety,
    ];

    pub fn classes(self) -> &'static [&'static str] {
        match self {
            Head::Category => &[
                "billing",
                "refund",
                "technical",
                "account_login",
                "order_shipping",
                "sales",
                "cancellation",
                "feedback",
                "general",
            ],
            Head::Priority => &["low", "medium", "high", "urgent"],
            // Low confidence is the chat AI's number, not the text: it is
            // learned as `none` and decided by rule.
            Head::Trigger => &["none", "phrase", "frustration", "sensitive"],
            Head::Sentiment => &["positive", "neutral", "negative", "frustrated"],
            Head::Language => &["en", "es", "de", "fr", "pt", "it", "nl"],
            Head::Safety => &["no", "yes"],
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    fn offset(self) -> usize {
        Head::ALL[..self.index()]
            .iter()
            .map(|h| h.classes().len())
            .sum()
    }
}

/// Classes over all judgements: the width of one weight row.
pub fn total_classes() -> usize {
    Head::ALL.iter().map(|h| h.classes().len()).sum()
}

const MAGIC: &[u8; 4] = b"BTM2";

/// The share of training conversations above which a slot counts as
/// common (see [`Model::is_common`]).
pub const COMMON_SHARE: f32 = 0.02;

/// Bytes of one weight row: two 4-bit weights per byte.
fn row_bytes() -> usize {
    total_classes().div_ceil(2)
}

/// The signed 4-bit weight `k` of a packed row (low nibble first).
fn nibble(row: &[u8], k: usize) -> i8 {
    let b = row[k / 2];
    if k.is_multiple_of(2) {
        ((b << 4) as i8) >> 4
    } else {
        (b as i8) >> 4
    }
}

/// A trained model over borrowed bytes (the embedded file, or a buffer).
pub struct Model<'a> {
    scales: [f32; 6],
    biases: Vec<f32>,
    weights: &'a [u8],
    /// One bit per slot: set when the slot is in many conversations.
    common: &'a [u8],
    /// FNV-1a of the corpus it was trained on (to catch a stale file).
    pub corpus_hash: u32,
}

static EMBEDDED: &[u8] = include_bytes!("../model/triage.bin");

/// Probabilities per class of each judgement.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub probs: Vec<Vec<f32>>,
}

impl Prediction {
    pub fn of(&self, head: Head) -> &[f32] {
        &self.probs[head.index()]
    }

    /// (class index, probability) of the most likely class.
    pub fn best(&self, head: Head) -> (usize, f32) {
        self.of(head)
            .iter()
            .copied()
            .enumerate()
            .fold((0, f32::MIN), |b, (i, p)| if p > b.1 { (i, p) } else { b })
    }

    pub fn label(&self, head: Head) -> &'static str {
        head.classes()[self.best(head).0]
    }

    pub fn prob(&self, head: Head, class: &str) -> f32 {
        head.classes()
            .iter()
            .position(|c| *c == class)
            .map_or(0.0, |i| self.of(head)[i])
    }
}

fn read_f32(b: &[u8], at: &mut usize) -> Option<f32> {
    let v = f32::from_le_bytes(b.get(*at..*at + 4)?.try_into().ok()?);
    *at += 4;
    Some(v)
}

fn read_u32(b: &[u8], at: &mut usize) -> Option<u32> {
    let v = u32::from_le_bytes(b.get(*at..*at + 4)?.try_into().ok()?);
    *at += 4;
    Some(v)
}

impl<'a> Model<'a> {
    /// The model shipped with Baton.
    pub fn embedded() -> Model<'static> {
        Model::parse(EMBEDDED).unwrap_or_else(Model::empty)
    }

    /// A model that knows nothing (uniform answers): the stand-in when the
    /// file is missing or malformed, so analysis still runs on its rules.
    pub fn empty() -> Model<'static> {
        Model {
            scales: [0.0; 6],
            biases: vec![0.0; total_classes()],
            weights: &[],
            common: &[],
            corpus_hash: 0,
        }
    }

    /// Whether `slot` is in many conversations (a function word, a common
    /// letter run): such slots say little about any one conversation.
    pub fn is_common(&self, slot: u32) -> bool {
        let i = slot as usize;
        self.common
            .get(i / 8)
            .is_some_and(|b| b & (1 << (i % 8)) != 0)
    }

    pub fn parse(bytes: &'a [u8]) -> Option<Model<'a>> {
        if bytes.get(..4)? != MAGIC {
            return None;
        }
        let mut at = 4;
        let buckets = read_u32(bytes, &mut at)? as usize;
        let corpus_hash = read_u32(bytes, &mut at)?;
        if buckets != BUCKETS {
            return None;
        }
        let mut scales = [0.0; 6];
        let mut biases = Vec::with_capacity(total_classes());
        for (i, head) in Head::ALL.iter().enumerate() {
            if read_u32(bytes, &mut at)? as usize != head.classes().len() {
                return None;
            }
            scales[i] = read_f32(bytes, &mut at)?;
            for _ in head.classes() {
                biases.push(read_f32(bytes, &mut at)?);
            }
        }
        let weights = bytes.get(at..at + buckets * row_bytes())?;
        at += buckets * row_bytes();
        let common = bytes.get(at..at + buckets / 8)?;
        Some(Model {
            scales,
            biases,
            weights,
            common,
            corpus_hash,
        })
    }

    /// Raw scores (logits) of every class, row-major by judgement: 4-bit
    /// weights times feature values summed in float, then scaled once per
    /// judgement.
    pub fn logits(&self, f: &Features) -> Vec<f32> {
        let width = total_classes();
        let row_len = row_bytes();
        let mut sums = vec![0.0f32; width];
        if !self.weights.is_empty() {
            for (slot, value) in &f.0 {
                let start = *slot as usize * row_len;
                let row = &self.weights[start..start + row_len];
                for (k, s) in sums.iter_mut().enumerate() {
                    *s += f32::from(nibble(row, k)) * value;
                }
            }
        }
        for head in Head::ALL {
            let o = head.offset();
            for s in &mut sums[o..o + head.classes().len()] {
                *s *= self.scales[head.index()];
            }
        }
        sums.iter().zip(&self.biases).map(|(s, b)| s + b).collect()
    }

    pub fn predict(&self, f: &Features) -> Prediction {
        predict_from_logits(&self.logits(f))
    }
}

/// The fingerprint of a corpus (its files' texts in name order), stored in
/// the model file so a test can tell when the model is stale.
pub fn corpus_fingerprint(texts: &[&str]) -> u32 {
    crate::features::hash(&texts.concat())
}

/// Softmax per judgement.
pub fn predict_from_logits(logits: &[f32]) -> Prediction {
    let mut probs = Vec::with_capacity(Head::ALL.len());
    for head in Head::ALL {
        let o = head.offset();
        let z = &logits[o..o + head.classes().len()];
        let max = z.iter().copied().fold(f32::MIN, f32::max);
        let exps: Vec<f32> = z.iter().map(|v| (v - max).exp()).collect();
        let sum: f32 = exps.iter().sum();
        probs.push(exps.iter().map(|e| e / sum).collect());
    }
    Prediction { probs }
}

/// Training (native, used by the `train` example and by tests).
pub mod train {
    use super::*;

    /// One labelled conversation: its features and, per judgement, the
    /// class index when labelled.
    pub struct Example {
        pub features: Features,
        pub labels: [Option<usize>; 6],
    }

    pub struct Options {
        pub epochs: usize,
        pub learning_rate: f32,
        pub l2: f32,
        pub seed: u64,
    }

    impl Default for Options {
        fn default() -> Self {
            Options {
                epochs: 30,
                learning_rate: 0.5,
                l2: 1e-6,
                seed: 7,
            }
        }
    }

    /// Float weights while training.
    pub struct Trained {
        pub weights: Vec<f32>,
        pub biases: Vec<f32>,
        /// Slots in more than [`COMMON_SHARE`] of the training
        /// conversations, one bit each.
        pub common: Vec<u8>,
    }

    impl Trained {
        pub fn logits(&self, f: &Features) -> Vec<f32> {
            let width = total_classes();
            let mut z = self.biases.clone();
            for (slot, value) in &f.0 {
                let row = &self.weights[*slot as usize * width..(*slot as usize + 1) * width];
                for (s, w) in z.iter_mut().zip(row) {
                    *s += w * value;
                }
            }
            z
        }

        /// The 4-bit file: per judgement, weights scaled so that all but
        /// the largest 1 % fit in -7..=7 (those are clipped), two per byte.
        pub fn to_bytes(&self, corpus_hash: u32) -> Vec<u8> {
            let width = total_classes();
            let mut out = Vec::with_capacity(BUCKETS * row_bytes() + 512);
            out.extend_from_slice(MAGIC);
            out.extend_from_slice(&(BUCKETS as u32).to_le_bytes());
            out.extend_from_slice(&corpus_hash.to_le_bytes());
            let mut scales = [0.0f32; 6];
            for head in Head::ALL {
                let o = head.offset();
                let n = head.classes().len();
                let mut magnitudes: Vec<f32> = (0..BUCKETS)
                    .flat_map(|b| (0..n).map(move |k| b * width + o + k))
                    .map(|i| self.weights[i].abs())
                    .filter(|w| *w > 0.0)
                    .collect();
                magnitudes.sort_by(f32::total_cmp);
                let clip = magnitudes
                    .get(magnitudes.len() * 99 / 100)
                    .copied()
                    .unwrap_or(0.0);
                let scale = if clip > 0.0 { clip / 7.0 } else { 1.0 };
                scales[head.index()] = scale;
                out.extend_from_slice(&(n as u32).to_le_bytes());
                out.extend_from_slice(&scale.to_le_bytes());
                for k in 0..n {
                    out.extend_from_slice(&self.biases[o + k].to_le_bytes());
                }
            }
            for b in 0..BUCKETS {
                let mut row = vec![0u8; row_bytes()];
                for head in Head::ALL {
                    let o = head.offset();
                    for k in 0..head.classes().len() {
                        let w = self.weights[b * width + o + k] / scales[head.index()];
                        let q = (w.round().clamp(-7.0, 7.0) as i8) as u8 & 0x0f;
                        let at = o + k;
                        row[at / 2] |= if at.is_multiple_of(2) { q } else { q << 4 };
                    }
                }
                out.extend_from_slice(&row);
            }
            out.extend_from_slice(&self.common);
            out
        }
    }

    /// Softmax regression per judgement with AdaGrad, in a fixed order
    /// (shuffled by `seed`), so the same corpus gives the same file.
    pub fn fit(examples: &[Example], o: &Options) -> Trained {
        let width = total_classes();
        let mut weights = vec![0.0f32; BUCKETS * width];
        let mut squares = vec![1e-6f32; BUCKETS * width];
        let mut biases = vec![0.0f32; width];
        let mut bias_squares = vec![1e-6f32; width];
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut state = o.seed.max(1);
        let trained_ref = |w: &Vec<f32>, b: &Vec<f32>, f: &Features| {
            let mut z = b.clone();
            for (slot, value) in &f.0 {
                let row = &w[*slot as usize * width..(*slot as usize + 1) * width];
                for (s, wv) in z.iter_mut().zip(row) {
                    *s += wv * value;
                }
            }
            z
        };
        for _ in 0..o.epochs {
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            for &i in &order {
                let ex = &examples[i];
                let z = trained_ref(&weights, &biases, &ex.features);
                let p = predict_from_logits(&z);
                let mut grad = vec![0.0f32; width];
                for head in Head::ALL {
                    let Some(label) = ex.labels[head.index()] else {
                        continue;
                    };
                    let off = head.offset();
                    for (k, pk) in p.of(head).iter().enumerate() {
                        grad[off + k] = pk - if k == label { 1.0 } else { 0.0 };
                    }
                }
                for (slot, value) in &ex.features.0 {
                    let base = *slot as usize * width;
                    for k in 0..width {
                        if grad[k] == 0.0 {
                            continue;
                        }
                        let g = grad[k] * value + o.l2 * weights[base + k];
                        squares[base + k] += g * g;
                        weights[base + k] -= o.learning_rate * g / squares[base + k].sqrt();
                    }
                }
                for k in 0..width {
                    if grad[k] != 0.0 {
                        bias_squares[k] += grad[k] * grad[k];
                        biases[k] -= o.learning_rate * grad[k] / bias_squares[k].sqrt();
                    }
                }
            }
        }
        let mut df = vec![0u32; BUCKETS];
        for e in examples {
            for (slot, _) in &e.features.0 {
                df[*slot as usize] += 1;
            }
        }
        let mut common = vec![0u8; BUCKETS / 8];
        let limit = (examples.len() as f32 * COMMON_SHARE) as u32;
        for (slot, n) in df.iter().enumerate() {
            if *n > limit {
                common[slot / 8] |= 1 << (slot % 8);
            }
        }
        Trained {
            weights,
            biases,
            common,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::train::*;
    use super::*;

    /// The shipped model was trained on the corpus as it is now: a changed
    /// corpus without retraining (`--example train`) fails here.
    #[test]
    fn the_shipped_model_matches_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        let texts: Vec<String> = files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        assert_eq!(
            super::Model::embedded().corpus_hash,
            super::corpus_fingerprint(&refs),
            "crates/ai/model/triage.bin is stale: run cargo run --profile host -p baton-ai --example train"
        );
    }

    #[test]
    fn four_bit_weights_round_trip() {
        for lo in -7i8..=7 {
            for hi in -7i8..=7 {
                let byte = (lo as u8 & 0x0f) | ((hi as u8 & 0x0f) << 4);
                assert_eq!((nibble(&[byte], 0), nibble(&[byte], 1)), (lo, hi));
            }
        }
    }
    use crate::features::extract;

    #[test]
    fn learns_a_separable_toy_problem_and_round_trips_through_bytes() {
        let data = [
            ("I was charged twice on my card", 0),
            ("the invoice amount is wrong, double charge", 0),
            ("the app crashes with an error", 2),
            ("error 500 when I open the dashboard, it crashes", 2),
        ];
        let examples: Vec<Example> = data
            .iter()
            .map(|(t, c)| Example {
                features: extract([(true, *t)]),
                labels: [Some(*c), None, None, None, None, None],
            })
            .collect();
        let trained = fit(&examples, &Options::default());
        let bytes = trained.to_bytes(42);
        let model = Model::parse(&bytes).unwrap();
        assert_eq!(model.corpus_hash, 42);
        let p = model.predict(&extract([(true, "charged twice again")]));
        assert_eq!(p.label(Head::Category), "billing");
        let p = model.predict(&extract([(true, "it crashes with error")]));
        assert_eq!(p.label(Head::Category), "technical");
        // Probabilities per judgement sum to one.
        assert!((p.of(Head::Priority).iter().sum::<f32>() - 1.0).abs() < 1e-4);
    }

    #[test]
    fn a_malformed_file_is_refused() {
        assert!(Model::parse(b"nope").is_none());
        assert!(Model::parse(b"BTM1\x00\x00\x01\x00").is_none());
    }
}
