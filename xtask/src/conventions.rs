//! Rules the test suite keeps, checked by `cargo xtask test`.
//!
//! docs/security.md names, for each threat, the tests that show its defence holds. A name left
//! behind by a renamed or removed test would say a defence is tested when nothing shows it, so
//! every test the document names must be there. And every browser test is held to the suite's
//! rule on errors the app leaves uncaught.

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Rust tests, cited as `path/to/file.rs::test` or `path/to/file.rs::tests::test` (the
    /// matrix by its file name alone): each file, and the function in it.
    fn rust_citations(doc: &str) -> Vec<(String, String)> {
        doc.split('`')
            .skip(1)
            .step_by(2)
            .filter_map(|quoted| {
                let (file, path) = quoted.split_once(".rs::")?;
                let test = path.rsplit("::").next()?;
                let plain = |c: char| c.is_ascii_alphanumeric() || "_/.-".contains(c);
                (file.chars().all(plain)
                    && test.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then(|| (format!("{file}.rs"), test.to_owned()))
            })
            .collect()
    }

    /// Playwright tests, cited as `e2e/tests/file.spec.ts` followed by one or more titles in
    /// double quotes (joined by "and", commas or semicolons); a title ending in "…" is the
    /// start of a longer one.
    fn playwright_citations(doc: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut rest = doc;
        while let Some(at) = rest.find("`e2e/tests/") {
            let cited = &rest[at + 1..];
            let Some(end) = cited.find('`') else { break };
            let file = &cited[..end];
            let mut after = &cited[end + 1..];
            loop {
                after = after.trim_start();
                if let Some(next) = ["and ", ",", ";"]
                    .iter()
                    .find_map(|joint| after.strip_prefix(joint))
                {
                    after = next;
                    continue;
                }
                let Some(title) = after.strip_prefix('"') else {
                    break;
                };
                let Some(close) = title.find('"') else { break };
                found.push((file.to_owned(), title[..close].to_owned()));
                after = &title[close + 1..];
            }
            rest = &cited[end + 1..];
        }
        found
    }

    fn words(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn every_test_the_security_document_names_is_there() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let doc = std::fs::read_to_string(root.join("docs/security.md")).unwrap();
        let rust = rust_citations(&doc);
        let playwright = playwright_citations(&doc);
        // The document cites many of each; too few found would mean this reads it wrong.
        assert!(rust.len() > 100, "{} Rust tests found", rust.len());
        assert!(
            playwright.len() > 30,
            "{} Playwright tests found",
            playwright.len()
        );

        let mut missing = Vec::new();
        for (file, test) in rust {
            let path = ["", "server/tests/"]
                .iter()
                .map(|dir| root.join(dir).join(&file))
                .find(|path| path.is_file());
            let defined = path.is_some_and(|path| {
                let source = std::fs::read_to_string(path).unwrap();
                [format!("fn {test}("), format!("fn {test}<")]
                    .iter()
                    .any(|head| source.contains(head.as_str()))
            });
            if !defined {
                missing.push(format!("{file}::{test}"));
            }
        }
        for (file, title) in playwright {
            let source = std::fs::read_to_string(root.join(&file)).unwrap_or_default();
            let title = words(title.trim_end_matches('…'));
            if !words(&source).contains(&title) {
                missing.push(format!("{file} \"{title}\""));
            }
        }
        assert!(
            missing.is_empty(),
            "docs/security.md names tests that are not there: {missing:#?}"
        );
    }

    /// `e2e/support/test.ts` fails a test on an error the app leaves uncaught (a wasm panic
    /// among them); a spec that took Playwright's own `test` would pass over one.
    #[test]
    fn every_browser_test_takes_the_suite_s_test() {
        fn specs(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    specs(&path, found);
                } else if path.to_string_lossy().ends_with(".spec.ts") {
                    found.push(path);
                }
            }
        }
        let mut found = Vec::new();
        specs(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../e2e/tests"),
            &mut found,
        );
        assert!(found.len() > 10, "{} specs found", found.len());
        let wrong: Vec<_> = found
            .iter()
            .filter(|path| {
                let source = std::fs::read_to_string(path).unwrap();
                let from_suite = source.lines().any(|line| {
                    line.starts_with("import {")
                        && line.contains(" test ")
                        && line.ends_with("/support/test\";")
                });
                !from_suite
            })
            .collect();
        assert!(
            wrong.is_empty(),
            "specs that do not take `test` from e2e/support/test.ts: {wrong:#?}"
        );
    }

    #[test]
    fn citations_are_read_as_the_document_writes_them() {
        let doc = "| a | b | `server/tests/wallet.rs::a_b`; `api/src/token.rs::tests::c_d`; \
                   `token::MAX_LIFETIME_SECS`; `e2e/tests/w.spec.ts` \"one\" and \"two…\"; \
                   fuzz/'s `token` target \"not a title\" |";
        assert_eq!(
            rust_citations(doc),
            [
                ("server/tests/wallet.rs".to_owned(), "a_b".to_owned()),
                ("api/src/token.rs".to_owned(), "c_d".to_owned())
            ]
        );
        assert_eq!(
            playwright_citations(doc),
            [
                ("e2e/tests/w.spec.ts".to_owned(), "one".to_owned()),
                ("e2e/tests/w.spec.ts".to_owned(), "two…".to_owned())
            ]
        );
    }
}
