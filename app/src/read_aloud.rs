//! Read-aloud: a button on every page that reads the page's main content with the device's
//! speech synthesis, in the current language (a Cantonese voice for zh-HK where the device
//! has one), and each passage marked with a language of its own (a Chinese name on an English
//! page) in that one. Never starts by itself; pause, resume and stop are always at hand.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{HtmlElement, SpeechSynthesis, SpeechSynthesisUtterance, SpeechSynthesisVoice};

use crate::i18n::{Locale, t_string, td_string, use_i18n};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reading {
    Idle,
    Speaking,
    Paused,
}

/// The language tag spoken, and the voice languages to look for, best first.
fn voice_languages(locale: Locale) -> (&'static str, &'static [&'static str]) {
    match locale {
        Locale::zh_CN => ("zh-CN", &["zh-cn", "cmn-hans-cn", "zh"]),
        // Hong Kong readers expect Cantonese; devices name it in several ways.
        Locale::zh_HK => ("zh-HK", &["zh-hk", "yue-hk", "yue-hant-hk", "yue"]),
        Locale::en => ("en-GB", &["en-gb", "en-us", "en"]),
    }
}

/// The locale whose voices read a passage marked `lang`, if it is one of the app's.
fn locale_of_tag(lang: &str) -> Option<Locale> {
    let lang = lang.to_ascii_lowercase();
    match lang.as_str() {
        "zh-cn" | "zh-hans" | "zh-hans-cn" | "zh" => Some(Locale::zh_CN),
        "zh-hk" | "zh-hant" | "zh-hant-hk" | "yue" | "yue-hk" => Some(Locale::zh_HK),
        _ if lang == "en" || lang.starts_with("en-") => Some(Locale::en),
        _ => None,
    }
}

/// Put around a passage in a language of its own while the page's text is taken: the start
/// mark, the passage's number among the marked elements, the separator, the passage, the end
/// mark. Characters of Unicode's private use area, which no page text holds.
const MARK_START: char = '\u{E000}';
const MARK_SEP: char = '\u{E001}';
const MARK_END: char = '\u{E002}';

/// `text` cut where its marks say: each passage with the number of the element it came from
/// (`None`: the page's own language), in order, those with nothing to say (empty, or only
/// punctuation) left out. A mark out of place is dropped and its passage read in the page's
/// language.
fn passages(text: &str) -> Vec<(Option<usize>, String)> {
    let mut out: Vec<(Option<usize>, String)> = Vec::new();
    let mut push = |marked: Option<usize>, passage: &str| {
        // The stop after a passage in another language is not read as a passage of its own.
        let passage = passage
            .trim()
            .trim_start_matches(['.', ',', ';', ':', '。', '，', '；', '：'])
            .trim();
        if passage.is_empty() {
            return;
        }
        match out.last_mut() {
            Some((last, text)) if *last == marked => {
                text.push(' ');
                text.push_str(passage);
            }
            _ => out.push((marked, passage.to_owned())),
        }
    };
    let mut rest = text;
    while let Some(start) = rest.find(MARK_START) {
        push(None, &rest[..start]);
        let after = &rest[start + MARK_START.len_utf8()..];
        let Some((number, inside)) = after.split_once(MARK_SEP) else {
            rest = after;
            continue;
        };
        let (passage, next) = inside.split_once(MARK_END).unwrap_or((inside, ""));
        let marked = number.parse().ok();
        let clean: String = passage
            .chars()
            .filter(|c| ![MARK_START, MARK_SEP, MARK_END].contains(c))
            .collect();
        push(marked, &clean);
        rest = next;
    }
    push(None, rest);
    out.into_iter()
        .map(|(marked, text)| (marked, text.replace([MARK_SEP, MARK_END], "")))
        .filter(|(_, text)| text.chars().any(char::is_alphanumeric))
        .collect()
}

fn pick_voice(synth: &SpeechSynthesis, wanted: &[&str]) -> Option<SpeechSynthesisVoice> {
    let voices: Vec<SpeechSynthesisVoice> = synth
        .get_voices()
        .iter()
        .filter_map(|v| v.dyn_into().ok())
        .collect();
    let languages: Vec<String> = voices.iter().map(|v| v.lang()).collect();
    best_voice(&languages, wanted).map(|i| voices[i].clone())
}

/// The index of the first voice, in order of `wanted`, whose language matches; platforms
/// write `zh_HK` or `zh-HK`, in any case.
fn best_voice(languages: &[String], wanted: &[&str]) -> Option<usize> {
    wanted.iter().find_map(|want| {
        languages
            .iter()
            .position(|l| l.replace('_', "-").to_ascii_lowercase() == *want)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(list: &[&str]) -> Vec<String> {
        list.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn hong_kong_chinese_is_read_in_cantonese_where_the_device_has_it() {
        let (tag, wanted) = voice_languages(Locale::zh_HK);
        assert_eq!(tag, "zh-HK");
        let voices = langs(&["en-US", "zh-CN", "yue_HK"]);
        assert_eq!(best_voice(&voices, wanted), Some(2));
        let voices = langs(&["zh-CN", "zh-HK", "yue-HK"]);
        assert_eq!(best_voice(&voices, wanted), Some(1));
        assert_eq!(best_voice(&langs(&["en-US", "zh-CN"]), wanted), None);
    }

    #[test]
    fn each_line_ends_with_a_pause_in_the_reader_s_language() {
        let page = "我的证件\n  内地居民身份证 \n陈嘉欣\n\n有效期至 2039年5月20日\n状态：\n有效";
        assert_eq!(
            spoken(page, Locale::zh_CN, "（部分隐去）"),
            "我的证件。内地居民身份证。陈嘉欣。有效期至 2039年5月20日。状态：有效。"
        );
        assert_eq!(
            spoken(
                "My licences\nResident ID card\nValid until 20 May 2039.",
                Locale::en,
                "(part hidden)"
            ),
            "My licences. Resident ID card. Valid until 20 May 2039."
        );
        assert_eq!(spoken("  \n \n", Locale::en, ""), "");
    }

    #[test]
    fn a_masked_number_is_read_with_its_hidden_part_named_once() {
        assert_eq!(
            spoken(
                "证件号码\n4401**********1234",
                Locale::zh_CN,
                "（部分隐去）"
            ),
            "证件号码。4401 （部分隐去） 1234。"
        );
        assert_eq!(
            spoken("ID number A1*****(3)", Locale::en, "(part hidden)"),
            "ID number A1 (part hidden) (3)."
        );
    }

    #[test]
    fn a_passage_in_another_language_is_read_apart_and_the_rest_stays_together() {
        let page = format!(
            "Name. {MARK_START}0{MARK_SEP}陈嘉欣{MARK_END}. Valid until 20 May 2039. \
             Issued by {MARK_START}1{MARK_SEP}广州市公安局{MARK_END}."
        );
        assert_eq!(
            passages(&page),
            [
                (None, "Name.".to_owned()),
                (Some(0), "陈嘉欣".to_owned()),
                (None, "Valid until 20 May 2039. Issued by".to_owned()),
                (Some(1), "广州市公安局".to_owned()),
            ]
        );
        assert_eq!(
            passages("My licences. Resident ID card."),
            [(None, "My licences. Resident ID card.".to_owned())]
        );
        // An empty marked element says nothing and does not split what is around it.
        assert_eq!(
            passages(&format!("A {MARK_START}2{MARK_SEP} {MARK_END} B")),
            [(None, "A B".to_owned())]
        );
        // Marks out of place are not read and lose no text.
        assert_eq!(
            passages(&format!("A {MARK_START}x B {MARK_END}C")),
            [(None, "A x B C".to_owned())]
        );
    }

    #[test]
    fn a_marked_language_finds_the_app_s_voices_for_it() {
        assert_eq!(locale_of_tag("zh-CN"), Some(Locale::zh_CN));
        assert_eq!(locale_of_tag("ZH-hk"), Some(Locale::zh_HK));
        assert_eq!(locale_of_tag("en-US"), Some(Locale::en));
        assert_eq!(locale_of_tag("fr"), None);
    }

    #[test]
    fn mainland_chinese_and_english_get_their_own_voices() {
        let voices = langs(&["en-US", "zh-HK", "zh-CN", "en-GB"]);
        assert_eq!(
            best_voice(&voices, voice_languages(Locale::zh_CN).1),
            Some(2)
        );
        assert_eq!(best_voice(&voices, voice_languages(Locale::en).1), Some(3));
    }
}

/// What is read: the page's title, then `<main>` as it shows (`innerText`, one block to a
/// line), without the read-aloud controls themselves or what screen readers are not given
/// either (`aria-hidden`: the licence's ticking watermark), cut into passages each with its
/// language tag.
fn page_text(locale: Locale) -> Option<Vec<(String, String)>> {
    let main: HtmlElement = document().get_element_by_id("main")?.dyn_into().ok()?;
    let title = document()
        .query_selector("h1")
        .ok()
        .flatten()
        .and_then(|h| h.dyn_into::<HtmlElement>().ok())
        .map(|h| h.inner_text())
        .unwrap_or_default();
    // `innerText` leaves out what is not displayed, so the controls are taken out of the
    // layout for as long as it takes to read it (no frame is drawn in between).
    let skipped: Vec<HtmlElement> = main
        .query_selector_all("[data-read-skip], [aria-hidden=\"true\"]")
        .ok()
        .map(|list| {
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into().ok())
                .collect()
        })
        .unwrap_or_default();
    for el in &skipped {
        let _ = el.style().set_property("display", "none");
    }
    // Each element in a language other than the page's is marked for as long as it takes
    // to read the text, as the controls are hidden.
    let page_lang = voice_languages(locale).0;
    let others: Vec<HtmlElement> = main
        .query_selector_all("[lang]")
        .ok()
        .map(|list| {
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
                .filter(|el| !el.lang().eq_ignore_ascii_case(page_lang))
                .collect()
        })
        .unwrap_or_default();
    let marks: Vec<(web_sys::Text, web_sys::Text)> = others
        .iter()
        .enumerate()
        .map(|(i, el)| {
            let start = document().create_text_node(&format!("{MARK_START}{i}{MARK_SEP}"));
            let end = document().create_text_node(&MARK_END.to_string());
            let _ = el.prepend_with_node_1(&start);
            let _ = el.append_with_node_1(&end);
            (start, end)
        })
        .collect();
    let body = main.inner_text();
    for (start, end) in &marks {
        start.remove();
        end.remove();
    }
    for el in &skipped {
        let _ = el.style().remove_property("display");
    }
    let hidden = td_string!(locale, read_aloud.hidden).to_string();
    let text = spoken(&format!("{title}\n{body}"), locale, &hidden);
    Some(
        passages(&text)
            .into_iter()
            .map(|(marked, passage)| {
                let lang = marked
                    .and_then(|i| others.get(i))
                    .map_or_else(|| page_lang.to_owned(), |el| el.lang());
                (lang, passage)
            })
            .collect(),
    )
}

/// `text`'s lines, each ended with a full stop in the reader's language where it has no
/// punctuation of its own, so the voice pauses between a heading and what follows rather than
/// running them together. A masked number's asterisks are read as `hidden`, once for each run
/// of them, not one by one.
fn spoken(text: &str, locale: Locale, hidden: &str) -> String {
    let (stop, between) = match locale {
        Locale::en => (".", " "),
        Locale::zh_CN | Locale::zh_HK => ("。", ""),
    };
    text.lines()
        .map(|line| {
            unmasked(line, hidden)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|line| !line.is_empty())
        .map(|line| {
            if line.ends_with([
                '。', '！', '？', '：', '，', '；', '…', '.', '!', '?', ':', ',', ';',
            ]) {
                line
            } else {
                line + stop
            }
        })
        .collect::<Vec<_>>()
        .join(between)
}

/// `line` with each run of `*` (the hidden digits of a masked number) replaced by `hidden`.
fn unmasked(line: &str, hidden: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_run = false;
    for c in line.chars() {
        if c == '*' {
            if !in_run {
                out.push(' ');
                out.push_str(hidden);
                out.push(' ');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out
}

#[component]
pub fn ReadAloud() -> impl IntoView {
    let i18n = use_i18n();
    let Some(synth) = window().speech_synthesis().ok() else {
        return ().into_any();
    };
    let state = RwSignal::new(Reading::Idle);
    let synth = StoredValue::new_local(synth);
    on_cleanup(move || {
        if let Some(s) = synth.try_get_value() {
            s.cancel();
        }
    });
    let start = move || {
        let Some(passages) = page_text(i18n.get_locale_untracked()).filter(|p| !p.is_empty())
        else {
            return;
        };
        let utterances: Vec<SpeechSynthesisUtterance> = synth.with_value(|s| {
            passages
                .iter()
                .filter_map(|(lang, text)| {
                    let utterance = SpeechSynthesisUtterance::new_with_text(text).ok()?;
                    utterance.set_lang(lang);
                    let wanted = locale_of_tag(lang).map(|l| voice_languages(l).1);
                    let lower = [lang.to_ascii_lowercase()];
                    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
                    if let Some(voice) = pick_voice(s, wanted.unwrap_or(&lower)) {
                        utterance.set_voice(Some(&voice));
                    }
                    Some(utterance)
                })
                .collect()
        });
        let Some(last) = utterances.last() else {
            return;
        };
        // Read to the end, or stopped: an utterance cancelled ends in an error.
        let done = Closure::<dyn FnMut()>::new(move || state.set(Reading::Idle));
        last.set_onend(Some(done.as_ref().unchecked_ref()));
        for utterance in &utterances {
            utterance.set_onerror(Some(done.as_ref().unchecked_ref()));
        }
        done.forget();
        synth.with_value(|s| {
            s.cancel();
            for utterance in &utterances {
                s.speak(utterance);
            }
        });
        state.set(Reading::Speaking);
    };
    let pause = move || {
        synth.with_value(|s| s.pause());
        state.set(Reading::Paused);
    };
    let resume = move || {
        synth.with_value(|s| s.resume());
        state.set(Reading::Speaking);
    };
    let stop = move || {
        synth.with_value(|s| s.cancel());
        state.set(Reading::Idle);
    };
    // The button pressed goes with the state it belonged to: keyboard focus moves to the first
    // button of the next one (pause, resume, or read again), not to the top of the page.
    let bar = NodeRef::<leptos::html::Div>::new();
    view! {
        <div class="kp-read-aloud" data-read-skip node_ref=bar>
            {move || match state.get() {
                Reading::Idle => view! {
                    <button type="button" class="kp-text-button" on:click=move |_| { start(); focus_first(bar) }>
                        {move || t_string!(i18n, read_aloud.start)}
                    </button>
                }.into_any(),
                Reading::Speaking => view! {
                    <button type="button" class="kp-text-button" on:click=move |_| { pause(); focus_first(bar) }>
                        {move || t_string!(i18n, read_aloud.pause)}
                    </button>
                    <button type="button" class="kp-text-button" on:click=move |_| { stop(); focus_first(bar) }>
                        {move || t_string!(i18n, read_aloud.stop)}
                    </button>
                }.into_any(),
                Reading::Paused => view! {
                    <button type="button" class="kp-text-button" on:click=move |_| { resume(); focus_first(bar) }>
                        {move || t_string!(i18n, read_aloud.resume)}
                    </button>
                    <button type="button" class="kp-text-button" on:click=move |_| { stop(); focus_first(bar) }>
                        {move || t_string!(i18n, read_aloud.stop)}
                    </button>
                }.into_any(),
            }}
        </div>
    }
    .into_any()
}

/// Once the bar has been drawn anew, puts keyboard focus on its first button.
fn focus_first(bar: NodeRef<leptos::html::Div>) {
    request_animation_frame(move || {
        if let Some(first) = bar
            .get_untracked()
            .and_then(|b| b.query_selector("button").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = first.focus();
        }
    });
}
