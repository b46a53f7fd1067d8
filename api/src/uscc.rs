//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters whose last
//! one is a check character over the first 17.

/// The 31 characters a code may use (I, O, Z, S and V are left out to avoid misreading).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character for the first 17 characters, or `None` if they are not 17 valid ones.
pub fn check_character(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in bytes.iter().zip(WEIGHTS) {
        let value = ALPHABET.iter().position(|a| a == b)? as u32;
        sum += value * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

/// Whether `code` is a well-formed unified social credit code with a correct check character.
pub fn is_valid(code: &str) -> bool {
    code.len() == 18
        && code.is_char_boundary(17)
        && check_character(&code[..17]).is_some_and(|c| code.ends_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_published_code() {
        // Tencent Technology (Shenzhen) Co., Ltd., as printed on its business licence.
        assert!(is_valid("9144030071526726XG"));
    }

    #[test]
    fn rejects_a_mistyped_character() {
        assert!(!is_valid("9144030071526727XG"));
        assert!(!is_valid("9144030071526726X"));
        assert!(!is_valid("9144030071526726XGG"));
        assert!(!is_valid("91440300715267I6XG"));
    }
}
