//! Writes every verdict (action, risk, findings with spans) for every row of the labelled sets,
//! the bench prompts and the fuzz corpus, at every level and source, one JSON line each, so two
//! versions of the engine can be compared exactly:
//!
//! `cargo run --release -p engine --example verdicts -- /work/shared/eval > a.jsonl`

#![allow(clippy::print_stdout)]

#[path = "../benches/corpus.rs"]
mod corpus;

use engine::{Scanner, ScannerConfig, Source, ThreatLevel};
use serde_json::Value;
use std::error::Error;
use std::io::Write;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("../shared/eval"));
    let mut texts: Vec<String> = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)?.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for p in files.iter().filter(|p| p.extension().is_some_and(|e| e == "jsonl")) {
        for line in std::fs::read_to_string(p)?.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line)?;
            texts.push(v["text"].as_str().unwrap_or("").to_string());
        }
    }
    for size in [1024usize, 8 * 1024, 64 * 1024] {
        texts.push(corpus::prompt(size));
    }
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/scan");
    let mut fz: Vec<_> = std::fs::read_dir(fuzz)?.filter_map(Result::ok).map(|e| e.path()).collect();
    fz.sort();
    for p in fz {
        texts.push(String::from_utf8_lossy(&std::fs::read(p)?).into_owned());
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for level in [ThreatLevel::Low, ThreatLevel::Medium, ThreatLevel::High] {
        for model in [true, false] {
            let mut cfg = ScannerConfig::with_level(level);
            cfg.use_model = model;
            let s = Scanner::new(&cfg)?;
            for source in [Source::UserInput, Source::ToolOutput, Source::Document] {
                if !model && source == Source::Document {
                    continue;
                }
                for (i, t) in texts.iter().enumerate() {
                    let v = s.scan(t, source);
                    writeln!(out, "{level:?} {model} {source:?} {i} {}", serde_json::to_string(&v)?)?;
                }
            }
        }
    }
    Ok(())
}
