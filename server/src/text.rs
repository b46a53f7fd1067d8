//! Rules for text people type and others read: search words, lengths, and (shared with the
//! client) the characters that would let a text read otherwise than it is stored or look empty.

pub use kapok_api::text::{disguises, trim};

/// A search longer than this is cut: no service's or policy's words come near it.
const QUERY_MAX_CHARS: usize = 60;

/// The words of a search: trimmed, cut to a sensible length, lower-cased, split on
/// whitespace (full-width spaces included). A word of nothing but invisible characters (a
/// zero-width space pasted from a chat) is no word: a search of only those is no search, as
/// one of only spaces is.
pub fn search_terms(q: &str) -> Vec<String> {
    let q: String = kapok_api::text::trim(q)
        .chars()
        .take(QUERY_MAX_CHARS)
        .collect();
    q.to_lowercase()
        .split_whitespace()
        .map(kapok_api::text::trim)
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Cuts `text` to its first `max_chars` characters (never inside one).
pub fn cut(text: &mut String, max_chars: usize) {
    if let Some((end, _)) = text.char_indices().nth(max_chars) {
        text.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_are_trimmed_lower_cased_and_split_on_any_space() {
        assert_eq!(
            search_terms("  Driving\u{3000}驾驶证 "),
            ["driving", "驾驶证"]
        );
        assert!(search_terms("   ").is_empty());
        assert!(search_terms("\u{200B}").is_empty());
        assert!(search_terms(" \u{200B} \u{FEFF}\u{3000}").is_empty());
        assert_eq!(search_terms("\u{200B}营业执照\u{200B} "), ["营业执照"]);
        assert_eq!(search_terms(&"长".repeat(100))[0].chars().count(), 60);
    }
}
