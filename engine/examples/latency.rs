//! Latency percentiles of a full scan (all detectors, level medium) on one core.
//!
//! `cargo run --release -p engine --example latency [-- iterations]`
//!
//! The last row times a loop of arithmetic that touches no memory and takes about as long as
//! the median 8 KB scan, with the same clock and the same number of runs. Its spread is the
//! machine's: timer interrupts and the host add the same to it as to a scan, so the scan's tail
//! above the loop's is the engine's own.

#![allow(clippy::print_stdout)]

#[path = "../benches/corpus.rs"]
mod corpus;

use engine::{Scanner, ScannerConfig, Source};
use std::time::Instant;

/// Sorted durations in µs of `n` runs of `f`, after a warm-up.
fn sample(n: usize, mut f: impl FnMut()) -> Vec<f64> {
    for _ in 0..n.min(50) {
        f();
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_nanos() as f64 / 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times
}

fn row(label: &str, times: &[f64], extra: &str) {
    let pct = |p: f64| times.get(((times.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0.0);
    println!(
        "| {label} | {} | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} µs | {extra} |",
        times.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        times.last().copied().unwrap_or(0.0)
    );
}

/// Dependent multiply-adds: no memory access, a fixed amount of work per call.
fn spin(steps: u64) -> u64 {
    let mut x = 1u64;
    for i in 0..steps {
        x = x.wrapping_mul(0x5851_f42d_4c95_7f2d).wrapping_add(i) ^ (x >> 17);
    }
    x
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iterations: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let scanner = Scanner::new(&ScannerConfig::default())?;
    println!("| size | iterations | p50 | p90 | p99 | max | findings |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let mut median_8k = 0.0;
    for size in [1024usize, 8 * 1024, 64 * 1024] {
        let text = corpus::prompt(size);
        let n = if size > 16 * 1024 { iterations / 8 } else { iterations }.max(10);
        let findings = scanner.scan(&text, Source::UserInput).findings.len();
        let times = sample(n, || {
            std::hint::black_box(scanner.scan(std::hint::black_box(&text), Source::UserInput));
        });
        if size == 8 * 1024 {
            median_8k = times.get(times.len() / 2).copied().unwrap_or(0.0);
        }
        row(&format!("{} KB", size / 1024), &times, &findings.to_string());
    }
    // Calibrate the loop to the median 8 KB scan, then time it like a scan.
    let mut steps = 1000u64;
    let once = |steps: u64| {
        sample(31, || {
            std::hint::black_box(spin(std::hint::black_box(steps)));
        })
        .get(15)
        .copied()
        .unwrap_or(0.0)
    };
    for _ in 0..4 {
        let t = once(steps);
        if t > 0.0 {
            steps = ((steps as f64) * median_8k / t).max(1.0) as u64;
        }
    }
    let times = sample(iterations, || {
        std::hint::black_box(spin(std::hint::black_box(steps)));
    });
    row("no-memory loop", &times, "as long as the 8 KB median");
    Ok(())
}
