//! Rules for text people type and others read: search words, and the characters that would
//! let a text read otherwise than it is stored.

/// A search longer than this is cut: no service's or policy's words come near it.
const QUERY_MAX_CHARS: usize = 60;

/// The words of a search: trimmed, cut to a sensible length, lower-cased, split on
/// whitespace (full-width spaces included).
pub fn search_terms(q: &str) -> Vec<String> {
    let q: String = q.trim().chars().take(QUERY_MAX_CHARS).collect();
    q.to_lowercase()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Cuts `text` to its first `max_chars` characters (never inside one).
pub fn cut(text: &mut String, max_chars: usize) {
    if let Some((end, _)) = text.char_indices().nth(max_chars) {
        text.truncate(end);
    }
}

/// A character that hides itself or turns the text around it: a control character, or a
/// text-direction mark, embedding, override or isolate. In a reason or a policy they could
/// make the words on screen say something else than the words stored (`通过\u{202E}驳回`).
/// Callers that allow line breaks let `'\n'` through before asking.
pub fn disguises(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
        assert_eq!(search_terms(&"长".repeat(100))[0].chars().count(), 60);
    }

    #[test]
    fn direction_marks_and_controls_disguise_letters_and_han_do_not() {
        for c in ['\u{202E}', '\u{2066}', '\u{200F}', '\u{0007}', '\n'] {
            assert!(disguises(c), "{c:?}");
        }
        for c in ['a', '驳', '，', ' '] {
            assert!(!disguises(c), "{c:?}");
        }
    }
}
