//! Learning from the team: each workspace keeps additive weights over the
//! model's scores, moved by its agents' corrections (a category or priority
//! set by hand). They are sparse (only the slots of corrected
//! conversations), bounded (the host prunes small ones) and applied on top
//! of the shipped model, so a team's vocabulary ("the widget" means their
//! product) wins over the corpus where they disagree.

use crate::features::{BUCKETS, Features};
use crate::model::{Head, total_classes};

/// How far a corrected class must lead on the corrected conversation: wide
/// enough that a similar one (most words shared) follows too.
pub const MARGIN: f32 = 3.0;

/// Largest magnitude one adjustment may reach.
pub const MAX_WEIGHT: f32 = 4.0;

/// (slot, global class index, weight), sorted by slot then class.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Adjustments {
    pub entries: Vec<(u32, u16, f32)>,
}

impl Adjustments {
    pub fn new(mut entries: Vec<(u32, u16, f32)>) -> Adjustments {
        entries.sort_by_key(|(s, c, _)| (*s, *c));
        Adjustments { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds the adjustments of this conversation's features to `logits`.
    pub fn apply(&self, f: &Features, logits: &mut [f32]) {
        if self.entries.is_empty() {
            return;
        }
        for (slot, value) in &f.0 {
            let start = self.entries.partition_point(|(s, _, _)| s < slot);
            for (s, class, w) in &self.entries[start..] {
                if s != slot {
                    break;
                }
                if let Some(l) = logits.get_mut(*class as usize) {
                    *l += w * value;
                }
            }
        }
    }

    /// Adds deltas (from [`correction`]) in place, clamped.
    pub fn add(&mut self, deltas: &[(u32, u16, f32)]) {
        for (slot, class, d) in deltas {
            match self
                .entries
                .binary_search_by_key(&(*slot, *class), |(s, c, _)| (*s, *c))
            {
                Ok(i) => self.entries[i].2 = (self.entries[i].2 + d).clamp(-MAX_WEIGHT, MAX_WEIGHT),
                Err(i) => self
                    .entries
                    .insert(i, (*slot, *class, d.clamp(-MAX_WEIGHT, MAX_WEIGHT))),
            }
        }
    }
}

/// The global class index of `class` in `head`.
pub fn class_index(head: Head, class: &str) -> Option<u16> {
    let offset: usize = Head::ALL[..head.index()]
        .iter()
        .map(|h| h.classes().len())
        .sum();
    head.classes()
        .iter()
        .position(|c| *c == class)
        .map(|i| (offset + i) as u16)
}

/// The weight changes that make `correct` the answer of `head` for this
/// conversation, given its current scores `logits` (model plus the team's
/// adjustments so far): softmax steps on the conversation's own features
/// until the corrected class leads by [`MARGIN`] (at most a few steps).
/// The always-on prior slot is left alone, so one correction does not
/// tilt every other conversation.
pub fn correction(f: &Features, logits: &[f32], head: Head, correct: &str) -> Vec<(u32, u16, f32)> {
    let Some(target) = class_index(head, correct) else {
        return Vec::new();
    };
    let offset: usize = Head::ALL[..head.index()]
        .iter()
        .map(|h| h.classes().len())
        .sum();
    let n = head.classes().len();
    // Only the conversation's distinctive slots learn: moving common ones
    // (function words, frequent letter runs) would tilt every conversation.
    let model = crate::model::Model::embedded();
    let slots: Vec<(u32, f32)> =
        f.0.iter()
            .copied()
            .filter(|(s, _)| (*s as usize) < BUCKETS - 1 && !model.is_common(*s))
            .collect();
    if slots.is_empty() {
        return Vec::new();
    }
    let norm2: f32 = slots.iter().map(|(_, v)| v * v).sum::<f32>().max(1e-6);
    let mut z: Vec<f32> = logits[offset..offset + n].to_vec();
    let mut deltas: Vec<(u32, u16, f32)> = Vec::new();
    let t = target as usize - offset;
    for _ in 0..6 {
        let max_other = z
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != t)
            .map(|(_, v)| *v)
            .fold(f32::MIN, f32::max);
        if z[t] - max_other >= MARGIN {
            break;
        }
        let max = z.iter().copied().fold(f32::MIN, f32::max);
        let exps: Vec<f32> = z.iter().map(|v| (v - max).exp()).collect();
        let sum: f32 = exps.iter().sum();
        // A step sized so that it moves the scores by about 1.5 per round.
        let rate = 1.5 / norm2;
        for k in 0..n {
            let g = exps[k] / sum - if k == t { 1.0 } else { 0.0 };
            if g.abs() < 1e-3 {
                continue;
            }
            for (slot, value) in &slots {
                deltas.push((*slot, (offset + k) as u16, -rate * g * value));
            }
            z[k] -= rate * g * norm2;
        }
    }
    // Merge repeated (slot, class) pairs.
    deltas.sort_by_key(|(s, c, _)| (*s, *c));
    let mut merged: Vec<(u32, u16, f32)> = Vec::with_capacity(deltas.len());
    for (s, c, d) in deltas {
        match merged.last_mut() {
            Some((ls, lc, ld)) if *ls == s && *lc == c => *ld += d,
            _ => merged.push((s, c, d)),
        }
    }
    debug_assert!(
        merged
            .iter()
            .all(|(_, c, _)| (*c as usize) < total_classes())
    );
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::extract;

    #[test]
    fn a_correction_flips_this_and_similar_conversations_only() {
        let f = extract([(true, "the flux capacitor widget is stuck again")]);
        let similar = extract([(true, "my flux capacitor widget is stuck")]);
        let other = extract([(true, "please send me last month's invoice")]);
        let logits = vec![0.0f32; total_classes()];
        let mut adj = Adjustments::default();
        let deltas = correction(&f, &logits, Head::Category, "technical");
        adj.add(&deltas);
        let score = |f: &Features| {
            let mut z = logits.clone();
            adj.apply(f, &mut z);
            let t = class_index(Head::Category, "technical").unwrap() as usize;
            let b = class_index(Head::Category, "billing").unwrap() as usize;
            (z[t], z[b])
        };
        let (t, b) = score(&f);
        assert!(t - b >= 1.0, "{t} vs {b}");
        let (t, b) = score(&similar);
        assert!(t > b, "a similar conversation follows: {t} vs {b}");
        let (t, b) = score(&other);
        assert!(
            (t - b).abs() < 0.5,
            "an unrelated one barely moves: {t} vs {b}"
        );
        // Nothing on the always-on prior slot.
        assert!(
            adj.entries
                .iter()
                .all(|(s, _, _)| (*s as usize) < BUCKETS - 1)
        );
    }
}
