//! Rules for text people type and others read, the same on the phone and on the server.

/// A character that hides itself or turns the text around it: a control character, a
/// text-direction mark, embedding, override or isolate, or a line or paragraph separator (a
/// line break that is not `'\n'`, which would pass a check for line breaks). In a reason or a
/// note they could make the words on screen say something else than the words stored
/// (`通过\u{202E}驳回`). Callers that allow line breaks let `'\n'` through before asking.
pub fn disguises(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// A character that takes no room and shows nothing of its own: zero-width space and joiners,
/// word joiner, byte-order mark, soft hyphen, and the Hangul fillers that pass for a letter.
/// Inside a text they are harmless (an emoji family is held together by joiners); a text made
/// of nothing else looks empty.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{180E}' | '\u{200B}'
            ..='\u{200D}' | '\u{2060}' | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}'
    )
}

/// `text` with the full-width forms of ASCII characters, which a Chinese keyboard types in
/// full-width mode (０-９, ａ-ｚ, ＋, －, its wide space), as ASCII; everything else as it is.
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// `text` without the spaces and invisible characters at either end: what is left is empty
/// when a reader would see nothing.
pub fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || invisible(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_marks_and_controls_disguise_letters_and_han_do_not() {
        for c in [
            '\u{202E}', '\u{2066}', '\u{200F}', '\u{061C}', '\u{0007}', '\n', '\u{2028}',
            '\u{2029}',
        ] {
            assert!(disguises(c), "{c:?}");
        }
        for c in ['a', '驳', '，', ' ', '\u{200D}'] {
            assert!(!disguises(c), "{c:?}");
        }
    }

    #[test]
    fn a_text_of_only_spaces_and_invisible_characters_trims_to_nothing() {
        for blank in [
            "",
            " \u{3000} ",
            "\u{200B}\u{200B}",
            "\u{2060}\u{FEFF}\u{200D}",
            "\u{3164}",
            "\u{00AD} \n",
        ] {
            assert_eq!(trim(blank), "", "{blank:?}");
        }
        assert_eq!(trim("\u{FEFF} 资料不全\u{200B} "), "资料不全");
        // Joiners inside a word are kept: this family is one emoji.
        let family = "👨\u{200D}👩\u{200D}👧";
        assert_eq!(trim(family), family);
    }
}
