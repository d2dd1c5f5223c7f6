//! Feeds every file of the fuzz seed corpus to the scanner, so plain `cargo test` exercises it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::field_reassign_with_default)]

use engine::{Scanner, ScannerConfig, Source, ThreatLevel};

#[test]
fn fuzz_corpus_scans_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/scan");
    let scanners: Vec<Scanner> = [ThreatLevel::Low, ThreatLevel::Medium, ThreatLevel::High]
        .into_iter()
        .map(|l| Scanner::new(&ScannerConfig::with_level(l)).unwrap())
        .collect();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for s in &scanners {
            for src in [Source::UserInput, Source::ToolOutput, Source::Document] {
                let v = s.scan(&text, src);
                for f in &v.findings {
                    assert_eq!(f.original, &text[f.start..f.end]);
                }
            }
        }
        n += 1;
    }
    assert!(n > 0, "empty corpus at {}", dir.display());
}
