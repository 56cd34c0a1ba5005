//! Sortable text ids (ULID layout: 48-bit millisecond time, 80 random bits,
//! Crockford base32, 26 characters).

use crate::env::Ctx;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

pub fn new_id(ctx: &Ctx) -> String {
    ulid(ctx.now_ms, ctx.random_bytes::<10>())
}

pub fn ulid(now_ms: i64, random: [u8; 10]) -> String {
    let mut value: u128 = (u128::from(now_ms.max(0) as u64) & 0xFFFF_FFFF_FFFF) << 80;
    for (i, b) in random.iter().enumerate() {
        value |= u128::from(*b) << (72 - 8 * i);
    }
    (0..26)
        .map(|i| CROCKFORD[((value >> (125 - 5 * i)) & 0x1F) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sortable_by_time_and_26_chars() {
        let a = ulid(1_000, [255; 10]);
        let b = ulid(1_001, [0; 10]);
        assert_eq!(a.len(), 26);
        assert!(a < b);
        assert_eq!(ulid(0, [0; 10]), "00000000000000000000000000");
    }
}
