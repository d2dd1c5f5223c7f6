//! Latency percentiles of a full scan (all detectors, level medium) on one core.
//!
//! `cargo run --release -p engine --example latency [-- iterations]`

#![allow(clippy::print_stdout)]

#[path = "../benches/corpus.rs"]
mod corpus;

use engine::{Scanner, ScannerConfig, Source};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iterations: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let scanner = Scanner::new(&ScannerConfig::default())?;
    println!("| size | iterations | p50 | p90 | p99 | max | findings |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for size in [1024usize, 8 * 1024, 64 * 1024] {
        let text = corpus::prompt(size);
        let n = if size > 16 * 1024 { iterations / 8 } else { iterations }.max(10);
        for _ in 0..n.min(50) {
            std::hint::black_box(scanner.scan(&text, Source::UserInput));
        }
        let mut times = Vec::with_capacity(n);
        let mut findings = 0;
        for _ in 0..n {
            let t = Instant::now();
            let v = scanner.scan(std::hint::black_box(&text), Source::UserInput);
            times.push(t.elapsed().as_nanos() as f64 / 1000.0);
            findings = v.findings.len();
        }
        times.sort_by(f64::total_cmp);
        let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "| {} KB | {n} | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} µs | {findings} |",
            size / 1024,
            pct(0.5),
            pct(0.9),
            pct(0.99),
            times[times.len() - 1]
        );
    }
    Ok(())
}
