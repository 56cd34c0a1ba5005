//! Byte-to-text conversion for the charsets mail actually uses, plus the
//! transfer decodings (base64, quoted-printable, percent-encoding) shared by
//! the MIME and form parsers. Everything is lenient: bad input degrades to
//! replacement characters or is skipped, it never fails.

/// Windows-1252 code points for bytes 0x80..=0x9F. The five undefined slots
/// map to the C1 control of the same value, as browsers do.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}', '\u{017D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{9D}', '\u{017E}', '\u{0178}',
];

/// Maps a byte of windows-1252 text to its character.
pub(crate) fn cp1252_char(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

fn decode_cp1252(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| cp1252_char(b)).collect()
}

/// ISO-8859-15 differs from Latin-1 in eight positions (the euro sign and
/// a few French/Finnish letters).
fn decode_latin9(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0xA4 => '\u{20AC}',
            0xA6 => '\u{0160}',
            0xA8 => '\u{0161}',
            0xB4 => '\u{017D}',
            0xB8 => '\u{017E}',
            0xBC => '\u{0152}',
            0xBD => '\u{0153}',
            0xBE => '\u{0178}',
            _ => char::from(b),
        })
        .collect()
}

/// UTF-8 when the bytes are valid UTF-8, else windows-1252: the best guess
/// for unlabelled 8-bit text (raw header bytes, "us-ascii" that is not).
pub(crate) fn decode_guess(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => decode_cp1252(bytes),
    }
}

/// Decodes `bytes` labelled with `charset` (a MIME or HTML label, any case).
pub(crate) fn decode(bytes: &[u8], charset: &str) -> String {
    let label = charset.trim().trim_matches('"').trim().to_ascii_lowercase();
    match label.as_str() {
        "utf-8" | "utf8" | "unicode-1-1-utf-8" | "x-unicode20utf8" => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        "" | "us-ascii" | "ascii" | "ansi_x3.4-1968" | "iso646-us" | "us" | "csascii" => {
            decode_guess(bytes)
        }
        // Latin-1 labels are decoded as windows-1252, like browsers do: mail
        // labelled iso-8859-1 routinely carries 1252 quotes and dashes, and
        // the C1 controls they would otherwise be are never meant.
        "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "iso_8859-1:1987" | "latin1" | "latin-1"
        | "l1" | "cp819" | "ibm819" | "iso-ir-100" | "csisolatin1" | "windows-1252" | "cp1252"
        | "x-cp1252" | "win-1252" | "cp-1252" => decode_cp1252(bytes),
        "iso-8859-15" | "iso8859-15" | "iso_8859-15" | "latin9" | "latin-9" | "l9" => {
            decode_latin9(bytes)
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn b64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        // The URL-safe alphabet shows up in the wild too.
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Lenient base64: skips line breaks, padding and any stray byte, and keeps
/// whatever complete bytes a truncated tail holds.
pub(crate) fn base64_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in input {
        let Some(v) = b64_value(b) else { continue };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Number of bytes `base64_decode` would produce, without allocating.
pub(crate) fn base64_decoded_len(input: &[u8]) -> u64 {
    let sextets = input.iter().filter(|&&b| b64_value(b).is_some()).count() as u64;
    sextets * 6 / 8
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Quoted-printable body decoding (RFC 2045 6.7): `=XX` escapes and `=` soft
/// line breaks. A malformed escape is kept literally, as most readers do.
pub(crate) fn qp_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        // Soft line break: "=" then optional trailing whitespace then a line end.
        let mut j = i + 1;
        while j < input.len() && (input[j] == b' ' || input[j] == b'\t') {
            j += 1;
        }
        if j < input.len() && input[j] == b'\n' {
            i = j + 1;
            continue;
        }
        if j + 1 < input.len() && input[j] == b'\r' && input[j + 1] == b'\n' {
            i = j + 2;
            continue;
        }
        if j == input.len() {
            // "=" at the very end: a soft break without the line end.
            break;
        }
        if i + 2 < input.len()
            && let (Some(h), Some(l)) = (hex_value(input[i + 1]), hex_value(input[i + 2]))
        {
            out.push((h << 4) | l);
            i += 3;
            continue;
        }
        out.push(b'=');
        i += 1;
    }
    out
}

/// Quoted-printable as used in RFC 2047 "Q" encoded words: like the body
/// form, but "_" stands for a space.
pub(crate) fn q_word_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'_' => {
                out.push(b' ');
                i += 1;
            }
            b'=' if i + 2 < input.len() => {
                match (hex_value(input[i + 1]), hex_value(input[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h << 4) | l);
                        i += 3;
                    }
                    _ => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// `%XX` decoding; `plus_is_space` for application/x-www-form-urlencoded.
pub(crate) fn percent_decode(input: &[u8], plus_is_space: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < input.len() => {
                match (hex_value(input[i + 1]), hex_value(input[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h << 4) | l);
                        i += 3;
                    }
                    _ => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Decodes lowercase or uppercase hex; `None` on odd length or a non-hex digit.
pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks(2)
        .map(|pair| Some((hex_value(pair[0])? << 4) | hex_value(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets() {
        assert_eq!(decode(b"caf\xc3\xa9", "UTF-8"), "café");
        assert_eq!(decode(b"caf\xe9", "iso-8859-1"), "café");
        assert_eq!(
            decode(b"\x93hi\x94 \x80", "windows-1252"),
            "\u{201C}hi\u{201D} €"
        );
        assert_eq!(decode(b"\xa4", "ISO-8859-15"), "€");
        assert_eq!(decode(b"caf\xc3\xa9", "us-ascii"), "café");
        assert_eq!(decode(b"caf\xe9", "us-ascii"), "café");
        assert_eq!(decode(b"caf\xe9", "koi8-r"), "caf\u{FFFD}");
        assert_eq!(decode(b"x", "\"utf-8\""), "x");
    }

    #[test]
    fn base64_is_lenient() {
        assert_eq!(base64_decode(b"aGVs\r\nbG8="), b"hello");
        assert_eq!(base64_decode(b"aGVsbG8"), b"hello");
        assert_eq!(base64_decode(b"aGV*sbG8=="), b"hello");
        assert_eq!(base64_decode(b""), b"");
        assert_eq!(base64_decode(b"a"), b"");
        assert_eq!(base64_decoded_len(b"aGVs\r\nbG8="), 5);
    }

    #[test]
    fn quoted_printable() {
        assert_eq!(
            qp_decode(b"caf=C3=A9 =\r\nlong=\nline"),
            "café longline".as_bytes()
        );
        assert_eq!(qp_decode(b"a=3d=3D b"), b"a== b");
        assert_eq!(qp_decode(b"50=% off ="), b"50=% off ");
        assert_eq!(qp_decode(b"x=4"), b"x=4");
        assert_eq!(qp_decode(b"="), b"");
        assert_eq!(qp_decode(b"=  \r\nz"), b"z");
        assert_eq!(q_word_decode(b"a_b=3F=4"), b"a b?=4");
        assert_eq!(percent_decode(b"a+b%20c%zz%4", true), b"a b c%zz%4");
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(unhex("00ABff"), Some(vec![0, 0xab, 0xff]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }
}
