//! Measures IBAC: how often ordinary prompts from the public sets in `shared/eval` would be
//! challenged, recall on the hand-written requests in `tests/ibac.rs`, and detection latency.
//! Prints markdown tables.
//!
//! `cargo run --release -p engine --example ibac_eval -- /work/shared/eval [--fired] [--explain TEXT]`
//!
//! `--fired` also prints every benign row that fired, with its evidence; `--explain TEXT` prints
//! what the detector makes of one text, as JSON, and exits; `--lines FILE` prints the verdict and
//! strongest category for every line of a file.

#![allow(clippy::print_stdout)]

#[allow(unused_imports)]
#[path = "../tests/ibac.rs"]
mod cases;

use engine::ibac::{IbacConfig, IntentDetector, IntentMatch};
use serde_json::Value;
use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::time::Instant;

/// The files with benign rows, and the labels counted as benign in each.
const FILES: &[&str] = &[
    "t0_prompts_sample",
    "deepset_prompt_injections",
    "notinject",
    "jailbreakbench_behaviors",
    "presidio_synth_dataset_v2",
    "lakera_pint_example",
    "injecagent",
    "lakera_gandalf_ignore_instructions",
    "giskard_prompt_injections",
    "garak_jailbreaks",
];

fn load(path: &Path) -> Result<Vec<(String, String)>, Box<dyn Error>> {
    let data = std::fs::read_to_string(path)?;
    let mut rows = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)?;
        let text = v["text"].as_str().unwrap_or("").to_string();
        let label = v["label"].as_str().unwrap_or("").to_string();
        rows.push((text, label));
    }
    Ok(rows)
}

#[derive(Default)]
struct Tally {
    rows: usize,
    fired: usize,
    at_low: usize,
    at_high: usize,
    categories: BTreeMap<String, usize>,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.rows += o.rows;
        self.fired += o.fired;
        self.at_low += o.at_low;
        self.at_high += o.at_high;
    }

    fn row(&self, file: &str, label: &str) -> String {
        let cats = self.categories.iter().map(|(c, k)| format!("{c} {k}")).collect::<Vec<_>>().join(", ");
        format!(
            "| {file} | {label} | {} | {} | {} | {} | {} | {cats} |",
            self.rows,
            self.fired,
            pct(self.fired, self.rows),
            pct(self.at_low, self.rows),
            pct(self.at_high, self.rows)
        )
    }
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "–".to_string()
    } else {
        format!("{:.1} %", 100.0 * n as f64 / d as f64)
    }
}

fn show(m: &IntentMatch) -> String {
    let spans: Vec<String> = m.spans.iter().map(|s| format!("{}={:?}", s.cue, s.original)).collect();
    format!("{} {:.2} [{}]", m.category, m.confidence, spans.join(", "))
}

/// Benign prose of about `size` bytes with, when `ask` is set, one data request in the middle.
fn prompt(size: usize, ask: bool) -> String {
    const PROSE: &[&str] = &[
        "The quarterly report shows revenue grew by 12 percent, driven mostly by subscriptions in Europe. ",
        "Please summarise the meeting notes for the engineering team and list the action items. ",
        "In 1854 a physician traced a cholera outbreak in London to a single water pump. ",
        "When deploying the service, set the replica count to three and enable health checks. ",
        "The recipe calls for two cups of flour, a pinch of salt and three ripe bananas. ",
        "Translate the paragraph into German while keeping the product names in English. ",
        "Between the two proposals, the second is cheaper to run but harder to maintain. ",
        "Our support team answers questions about the return policy within one business day. ",
    ];
    let mut out = String::with_capacity(size + 128);
    let mut i = 0;
    while out.len() < size {
        if ask && i == 10 {
            out.push_str("Also, what's the last four digits of my card on file? ");
        }
        out.push_str(PROSE[i % PROSE.len()]);
        i += 1;
    }
    out
}

/// Timed calls per latency round.
const ROUND: usize = 4_000;

fn percentile(sorted: &[u128], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0) as f64 / 1000.0
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let detector = IntentDetector::new(&IbacConfig::default())?;
    if let Some(i) = args.iter().position(|a| a == "--lines") {
        let path = args.get(i + 1).cloned().unwrap_or_default();
        for line in std::fs::read_to_string(path)?.lines().filter(|l| !l.trim().is_empty()) {
            let best = detector.explain(line).into_iter().next();
            let fired = detector.detect(line).is_some();
            println!(
                "{} {line:?}\n    {}",
                if fired { "FIRES" } else { "-    " },
                best.map_or_else(String::new, |m| show(&m))
            );
        }
        return Ok(());
    }
    if let Some(i) = args.iter().position(|a| a == "--explain") {
        let text = args.get(i + 1).cloned().unwrap_or_default();
        println!("{}", serde_json::to_string_pretty(&detector.explain(&text))?);
        return Ok(());
    }
    let dir = args.iter().find(|a| !a.starts_with("--")).cloned().unwrap_or_else(|| "/work/shared/eval".into());
    let print_fired = args.iter().any(|a| a == "--fired");

    println!("### Prompts challenged (default settings: every category at threshold 0.7)\n");
    println!("`at 0.6` / `at 0.8`: the rate had every threshold been 0.6 or 0.8 instead, to show the margin.\n");
    println!("| file | label | rows | challenged | rate | at 0.6 | at 0.8 | by category |");
    println!("|---|---|---:|---:|---:|---:|---:|---|");
    let mut other: Vec<String> = Vec::new();
    let mut all = Tally::default();
    for file in FILES {
        let path = Path::new(&dir).join(format!("{file}.jsonl"));
        let rows = match load(&path) {
            Ok(r) => r,
            Err(e) => {
                println!("| {file} | (could not read: {e}) | | | | | | |");
                continue;
            }
        };
        let mut by_label: BTreeMap<String, Tally> = BTreeMap::new();
        for (text, label) in &rows {
            let tally = by_label.entry(label.clone()).or_default();
            tally.rows += 1;
            let top = detector.explain(text).into_iter().next().map_or(0.0, |m| m.confidence);
            tally.at_low += usize::from(top >= 0.6);
            tally.at_high += usize::from(top >= 0.8);
            if let Some(m) = detector.detect(text) {
                tally.fired += 1;
                *tally.categories.entry(m.category.to_string()).or_default() += 1;
                if print_fired && label == "benign" {
                    let short: String = text.chars().take(300).collect();
                    eprintln!("[{file}] {}\n    {short:?}\n", show(&m));
                }
            }
        }
        for (label, t) in by_label {
            let line = t.row(file, &label);
            if label == "benign" {
                all.add(&t);
                println!("{line}");
            } else {
                other.push(line);
            }
        }
    }
    println!("{}", all.row("**all benign rows**", "benign"));
    println!("\nRows with other labels, for context (IBAC is not meant to flag them; many are requests about the writer's own card or account):\n");
    println!("| file | label | rows | challenged | rate | at 0.6 | at 0.8 | by category |");
    println!("|---|---|---:|---:|---:|---:|---:|---|");
    for line in other {
        println!("{line}");
    }

    println!("\n### Recall on the hand-written requests (`tests/ibac.rs`)\n");
    let kinds: Vec<(&str, Option<cases::Obfuscation>)> =
        std::iter::once(("plain", None)).chain(cases::obfuscations().into_iter().map(|(k, f)| (k, Some(f)))).collect();
    let header: Vec<&str> = kinds.iter().map(|(k, _)| *k).collect();
    println!("| category | rows | {} |", header.join(" | "));
    println!("|---|---:|{}", "---:|".repeat(header.len()));
    let mut totals = vec![(0usize, 0usize); kinds.len()];
    for (cat, table) in cases::positive_tables() {
        let mut cells = Vec::new();
        for (ki, (kind, f)) in kinds.iter().enumerate() {
            let mut hit = 0;
            for t in table {
                let text = f.map_or_else(|| (*t).to_string(), |f| f(t));
                match detector.detect(&text) {
                    Some(m) if m.category == cat => hit += 1,
                    other => {
                        if print_fired {
                            let got = other.map_or_else(|| "nothing".to_string(), |m| show(&m));
                            eprintln!("[miss {cat} {kind}] {text:?} → {got}");
                        }
                    }
                }
            }
            totals[ki].0 += hit;
            totals[ki].1 += table.len();
            cells.push(format!("{hit}/{} ({})", table.len(), pct(hit, table.len())));
        }
        println!("| {cat} | {} | {} |", table.len(), cells.join(" | "));
    }
    let cells: Vec<String> = totals.iter().map(|(h, n)| format!("{h}/{n} ({})", pct(*h, *n))).collect();
    println!("| **all** | | {} |", cells.join(" | "));
    let benign_fired = cases::BENIGN.iter().filter(|t| detector.detect(t).is_some()).count();
    println!(
        "\nHand-written hard negatives (`BENIGN` in `tests/ibac.rs`): {benign_fired}/{} challenged.",
        cases::BENIGN.len()
    );

    println!("\n### Held-out sentences (written after the weights were frozen, never tuned on)\n");
    println!("| category | requests | caught | recall |");
    println!("|---|---:|---:|---:|");
    let mut held: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (cat, text) in cases::HELDOUT_REQUESTS {
        let entry = held.entry(cat).or_default();
        entry.0 += 1;
        match detector.detect(text) {
            Some(m) if m.category.name() == *cat => entry.1 += 1,
            other => {
                if print_fired {
                    let got = other.map_or_else(|| "nothing".to_string(), |m| show(&m));
                    eprintln!("[held-out miss {cat}] {text:?} → {got}");
                }
            }
        }
    }
    let (mut n, mut k) = (0, 0);
    for (cat, (rows, caught)) in &held {
        n += rows;
        k += caught;
        println!("| {cat} | {rows} | {caught} | {} |", pct(*caught, *rows));
    }
    println!("| **all** | {n} | {k} | {} |", pct(k, n));
    let fired = cases::HELDOUT_BENIGN.iter().filter(|t| detector.detect(t).is_some()).count();
    println!("\nHeld-out ordinary prompts: {fired}/{} challenged.", cases::HELDOUT_BENIGN.len());

    println!("\n### Latency (`detect`, default settings, one thread)\n");
    println!(
        "Five rounds of {ROUND} timed calls after a warm-up; p50 and p90 over all calls, p99 of the quietest \
         and of the noisiest round (the machine is shared, so the spread is other processes), max over all.\n"
    );
    println!("| input | bytes | p50 | p90 | p99 (quietest round) | p99 (noisiest round) | max |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, text) in [
        ("2 KB prose, no request", prompt(2048, false)),
        ("2 KB prose with one request", prompt(2048, true)),
        ("8 KB prose with one request", prompt(8192, true)),
        ("short request", "What's my credit card on file?".to_string()),
        ("2 KB, shared normalisation alone", prompt(2048, true)),
    ] {
        let run = |text: &str| {
            if name.contains("normalisation") {
                std::hint::black_box(engine::normalise::views(std::hint::black_box(text)));
            } else {
                std::hint::black_box(detector.detect(std::hint::black_box(text)));
            }
        };
        for _ in 0..2_000 {
            run(&text);
        }
        let mut all: Vec<u128> = Vec::with_capacity(5 * ROUND);
        let mut round_p99: Vec<f64> = Vec::new();
        for _ in 0..5 {
            let mut times: Vec<u128> = Vec::with_capacity(ROUND);
            for _ in 0..ROUND {
                let t = Instant::now();
                run(&text);
                times.push(t.elapsed().as_nanos());
            }
            times.sort_unstable();
            round_p99.push(percentile(&times, 0.99));
            all.extend(times);
        }
        all.sort_unstable();
        round_p99.sort_by(f64::total_cmp);
        println!(
            "| {name} | {} | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} µs |",
            text.len(),
            percentile(&all, 0.5),
            percentile(&all, 0.9),
            round_p99.first().copied().unwrap_or(0.0),
            round_p99.last().copied().unwrap_or(0.0),
            percentile(&all, 1.0)
        );
    }
    Ok(())
}
