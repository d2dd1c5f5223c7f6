//! Measures the engine on the labelled sets in `shared/eval` and prints markdown tables.
//!
//! `cargo run --release -p engine --example eval -- /work/shared/eval [--heldout] [--level medium] [--misses FILE] [--extra DIR]`
//!
//! `--extra DIR` also measures every `*.jsonl` file in `DIR` (same row format: `text`, `label`):
//! rows labelled `indirect_injection` are scanned as tool output, all others as user input.

#![allow(clippy::print_stdout)]

use engine::{Action, Scanner, ScannerConfig, Source, ThreatLevel, ThreatType, Verdict};
use serde_json::Value;
use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Row {
    text: String,
    /// What the train/test split hashes (see examples/train.rs `split_key`).
    split_key: String,
    label: String,
    subset: String,
    spans: Vec<(String, usize, usize)>,
}

fn load(path: &Path) -> Result<Vec<Row>, Box<dyn Error>> {
    let data = std::fs::read_to_string(path)?;
    let mut rows = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)?;
        let text = v["text"].as_str().unwrap_or("").to_string();
        let mut spans = Vec::new();
        if let Some(arr) = v["meta"]["spans"].as_array() {
            for s in arr {
                let ty = s["type"].as_str().unwrap_or("").to_string();
                // Offsets in the source data count characters; the engine speaks bytes.
                let cs = s["start"].as_u64().unwrap_or(0) as usize;
                let ce = s["end"].as_u64().unwrap_or(0) as usize;
                let byte = |c: usize| text.char_indices().nth(c).map_or(text.len(), |(b, _)| b);
                spans.push((ty, byte(cs), byte(ce)));
            }
        }
        let split_key = match v["meta"]["attacker_tools"].as_array() {
            Some(tools) if !tools.is_empty() => tools.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
            _ => text.clone(),
        };
        rows.push(Row {
            split_key,
            label: v["label"].as_str().unwrap_or("").to_string(),
            subset: v["subset"].as_str().unwrap_or("").to_string(),
            text,
            spans,
        });
    }
    Ok(rows)
}

/// An input counts as flagged when the verdict blocks it or names an instruction-shaped threat.
fn flagged(v: &Verdict) -> bool {
    v.action == Action::Block
        || v.findings.iter().any(|f| {
            matches!(
                f.threat_type,
                ThreatType::PromptInjection | ThreatType::Jailbreak | ThreatType::HiddenInstructions
            )
        })
}

fn source_for(file: &str, extra: bool, row: &Row) -> Source {
    if extra {
        if row.label == "indirect_injection" {
            Source::ToolOutput
        } else {
            Source::UserInput
        }
    } else if file.starts_with("injecagent") && row.label != "benign" {
        Source::ToolOutput
    } else {
        Source::UserInput
    }
}

const ENTITY_MAP: &[(&str, &str)] = &[
    ("email", "EMAIL_ADDRESS"),
    ("phone_number", "PHONE_NUMBER"),
    ("credit_card", "CREDIT_CARD"),
    ("us_ssn", "US_SSN"),
    ("iban", "IBAN_CODE"),
    ("ip_address", "IP_ADDRESS"),
    ("person", "PERSON"),
    ("street_address", "STREET_ADDRESS"),
    ("us_driver_license", "US_DRIVER_LICENSE"),
];

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value_of = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    // The set directory is the first argument that is neither an option nor an option's value.
    let is_option_value = |i: usize| {
        i.checked_sub(1)
            .and_then(|j| args.get(j))
            .is_some_and(|prev| matches!(prev.as_str(), "--level" | "--misses" | "--extra"))
    };
    let dir = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && !is_option_value(*i))
        .map(|(_, a)| PathBuf::from(a))
        .unwrap_or_else(|| PathBuf::from("../shared/eval"));
    let heldout = args.iter().any(|a| a == "--heldout");
    let only_level = value_of("--level");
    let misses = value_of("--misses");
    let extra_dir = value_of("--extra").map(PathBuf::from);
    let no_model = args.iter().any(|a| a == "--no-model");

    let files = [
        "lakera_gandalf_ignore_instructions.jsonl",
        "deepset_prompt_injections.jsonl",
        "giskard_prompt_injections.jsonl",
        "lakera_pint_example.jsonl",
        "garak_jailbreaks.jsonl",
        "injecagent.jsonl",
        "notinject.jsonl",
        "jailbreakbench_behaviors.jsonl",
        "t0_prompts_sample.jsonl",
        "presidio_synth_dataset_v2.jsonl",
    ];
    // (file name, rows, from --extra)
    let mut data: Vec<(String, Vec<Row>, bool)> = Vec::new();
    for f in files {
        let p = dir.join(f);
        match load(&p) {
            Ok(mut rows) => {
                if heldout && engine::model::TRAINING_FILES.contains(&f) {
                    rows.retain(|r| !engine::model::is_training_row(&r.split_key));
                }
                data.push((f.to_string(), rows, false));
            }
            Err(e) => eprintln!("skipping {}: {e}", p.display()),
        }
    }
    if let Some(extra) = &extra_dir {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(extra)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match load(&p) {
                Ok(rows) => data.push((name, rows, true)),
                Err(e) => eprintln!("skipping {}: {e}", p.display()),
            }
        }
    }
    let levels: Vec<ThreatLevel> = match only_level.as_deref() {
        Some("low") => vec![ThreatLevel::Low],
        Some("high") => vec![ThreatLevel::High],
        Some("medium") => vec![ThreatLevel::Medium],
        _ => vec![ThreatLevel::Low, ThreatLevel::Medium, ThreatLevel::High],
    };
    let mut miss_log = String::new();
    println!(
        "Rows: {}. Flagged = verdict `block`, or a prompt_injection / jailbreak / hidden_instructions finding.\n",
        if heldout {
            "held out from training only (files in model::TRAINING_FILES: the half not picked by model::is_training_row; other files: all rows)"
        } else {
            "all"
        }
    );
    for level in levels {
        let mut cfg = ScannerConfig::with_level(level);
        cfg.use_model = !no_model;
        let scanner = Scanner::new(&cfg)?;
        println!("### level `{}`\n", serde_json::to_string(&level)?.trim_matches('"'));
        println!("| file | label | source | rows | flagged | rate |");
        println!("|---|---|---|---:|---:|---:|");
        let mut pii: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
        let mut total_time = 0.0f64;
        let mut total_bytes = 0usize;
        for (file, rows, extra) in &data {
            let mut per: BTreeMap<(String, &str), (usize, usize)> = BTreeMap::new();
            // Retrieved documents are where indirect-injection rules apply, so the document-like
            // prompts are scanned a second time as Source::Document.
            let as_document: Vec<(&Row, Source)> = if !*extra && file.starts_with("t0_") {
                rows.iter().map(|r| (r, Source::Document)).collect()
            } else {
                Vec::new()
            };
            let passes = rows.iter().map(|r| (r, source_for(file, *extra, r))).chain(as_document);
            for (row, source) in passes {
                let t = Instant::now();
                let v = scanner.scan(&row.text, source);
                total_time += t.elapsed().as_secs_f64();
                total_bytes += row.text.len();
                let src = match source {
                    Source::ToolOutput => "tool_output",
                    Source::Document => "document",
                    Source::UserInput => "user_input",
                };
                let e = per.entry((row.label.clone(), src)).or_default();
                e.0 += 1;
                let hit = flagged(&v);
                if hit {
                    e.1 += 1;
                }
                let attack = !matches!(row.label.as_str(), "benign" | "pii" | "harmful");
                if level == ThreatLevel::Medium
                    && source != Source::Document
                    && ((attack && !hit) || (row.label == "benign" && hit))
                {
                    let why: Vec<String> = v
                        .findings
                        .iter()
                        .map(|f| format!("{}:{}:{:?}", f.threat_type, f.pattern, f.severity))
                        .collect();
                    miss_log.push_str(&format!(
                        "{file}\t{}\t{}\t{}\t{}\n",
                        row.label,
                        row.subset,
                        why.join(","),
                        row.text.replace('\n', "\\n").chars().take(400).collect::<String>()
                    ));
                }
                if !*extra && file.starts_with("presidio") && source == Source::UserInput {
                    for (ours, theirs) in ENTITY_MAP {
                        let pred: Vec<(usize, usize)> = v
                            .findings
                            .iter()
                            .filter(|f| f.threat_type == ThreatType::Pii && f.custom_type.as_deref() == Some(ours))
                            .map(|f| (f.start, f.end))
                            .collect();
                        let gold: Vec<(usize, usize)> =
                            row.spans.iter().filter(|s| s.0 == *theirs).map(|s| (s.1, s.2)).collect();
                        let e = pii.entry(theirs).or_default();
                        let ov = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
                        if level == ThreatLevel::Medium {
                            for p in pred.iter().filter(|p| !gold.iter().any(|g| ov(**p, *g))) {
                                miss_log.push_str(&format!(
                                    "pii_fp\t{theirs}\t{}\t{}\n",
                                    &row.text[p.0..p.1],
                                    row.text.replace('\n', "\\n")
                                ));
                            }
                            for g in gold.iter().filter(|g| !pred.iter().any(|p| ov(*p, **g))) {
                                let value = row.text.get(g.0..g.1).unwrap_or("");
                                miss_log.push_str(&format!(
                                    "pii_fn\t{theirs}\t{value}\t{}\n",
                                    row.text.replace('\n', "\\n")
                                ));
                            }
                        }
                        e[0] += pred.iter().filter(|p| gold.iter().any(|g| ov(**p, *g))).count();
                        e[1] += pred.iter().filter(|p| !gold.iter().any(|g| ov(**p, *g))).count();
                        e[2] += gold.iter().filter(|g| !pred.iter().any(|p| ov(*p, **g))).count();
                    }
                }
            }
            for ((label, src), (n, k)) in per {
                let rate = if n == 0 { 0.0 } else { 100.0 * k as f64 / n as f64 };
                let what = if matches!(label.as_str(), "benign" | "pii") {
                    "false positives"
                } else if label == "harmful" {
                    "flag rate"
                } else {
                    "recall"
                };
                println!(
                    "| {} | {label} ({what}) | {src} | {n} | {k} | {rate:.1} % |",
                    file.trim_end_matches(".jsonl")
                );
            }
        }
        println!("\nPII spans (presidio_synth_dataset_v2, overlap match):\n");
        println!("| entity | true pos | false pos | missed | precision | recall |");
        println!("|---|---:|---:|---:|---:|---:|");
        for (ent, [tp, fp, fnn]) in &pii {
            let p = if tp + fp == 0 { 0.0 } else { 100.0 * *tp as f64 / (tp + fp) as f64 };
            let r = if tp + fnn == 0 { 0.0 } else { 100.0 * *tp as f64 / (tp + fnn) as f64 };
            println!("| {ent} | {tp} | {fp} | {fnn} | {p:.1} % | {r:.1} % |");
        }
        println!(
            "\nThroughput over all rows: {:.1} MB/s ({} bytes in {:.2} s)\n",
            total_bytes as f64 / total_time / 1e6,
            total_bytes,
            total_time
        );
    }
    if let Some(m) = misses {
        std::fs::write(m, miss_log)?;
    }
    Ok(())
}
