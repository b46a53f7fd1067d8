//! Generates the i18n module from locales/*.json, after checking every locale has every key,
//! each given once.

use std::{collections::BTreeSet, error::Error, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

const LOCALES: [&str; 3] = ["zh-CN", "zh-HK", "en"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");

    every_locale_has_every_key()?;

    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is set by cargo")?).join("i18n");
    let cfg = Config::new("zh-CN")?
        .add_locale("zh-HK")?
        .add_locale("en")?
        .locales_path("../locales")
        .parse_options(ParseOptions::default().interpolate_display(true));
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}

/// leptos_i18n only warns about a key missing from one locale and falls back to the default
/// locale's text; a page half in the wrong language is a bug, so it fails the build here.
fn every_locale_has_every_key() -> Result<(), Box<dyn Error>> {
    let mut sets = Vec::new();
    for locale in LOCALES {
        let path = format!("../locales/{locale}.json");
        let text = std::fs::read_to_string(&path)?;
        serde_json::from_str::<EachKeyOnce>(&text).map_err(|e| format!("{path}: {e}"))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        let mut keys = BTreeSet::new();
        flatten("", &json, &mut keys);
        sets.push((locale, keys));
    }
    let all: BTreeSet<&String> = sets.iter().flat_map(|(_, k)| k.iter()).collect();
    let mut missing = Vec::new();
    for (locale, keys) in &sets {
        for key in &all {
            if !keys.contains(*key) {
                missing.push(format!("{locale}: {key}"));
            }
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "locale files disagree; missing keys:\n  {}",
            missing.join("\n  ")
        )
        .into())
    }
}

fn flatten(prefix: &str, value: &serde_json::Value, keys: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, keys);
            }
        }
        _ => {
            keys.insert(prefix.to_owned());
        }
    }
}

/// A JSON document read only to find a key given twice in one object. serde_json, and so
/// leptos_i18n, takes the last silently, so a second message added under a name already in use
/// would replace the first wherever it is shown.
struct EachKeyOnce;

impl<'de> serde::Deserialize<'de> for EachKeyOnce {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EachKeyOnce)
    }
}

impl<'de> serde::de::Visitor<'de> for EachKeyOnce {
    type Value = EachKeyOnce;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<EachKeyOnce, A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "\"{key}\" is given twice"
                )));
            }
            map.next_value::<EachKeyOnce>()?;
        }
        Ok(EachKeyOnce)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<EachKeyOnce, A::Error> {
        while seq.next_element::<EachKeyOnce>()?.is_some() {}
        Ok(EachKeyOnce)
    }

    fn visit_str<E>(self, _: &str) -> Result<EachKeyOnce, E> {
        Ok(EachKeyOnce)
    }

    fn visit_bool<E>(self, _: bool) -> Result<EachKeyOnce, E> {
        Ok(EachKeyOnce)
    }

    fn visit_i64<E>(self, _: i64) -> Result<EachKeyOnce, E> {
        Ok(EachKeyOnce)
    }

    fn visit_u64<E>(self, _: u64) -> Result<EachKeyOnce, E> {
        Ok(EachKeyOnce)
    }

    fn visit_f64<E>(self, _: f64) -> Result<EachKeyOnce, E> {
        Ok(EachKeyOnce)
    }

    fn visit_unit<E>(self) -> Result<EachKeyOnce, E> {
        Ok(EachKeyOnce)
    }
}
