//! Scans one corpus prompt a fixed number of times, for instruction-count profiling, which stays
//! repeatable on a busy machine where wall-clock timings do not:
//!
//! `valgrind --tool=callgrind target/release/examples/profile 8192 20 [detector,detector|none] [nomodel]`
//!
//! Instructions per scan ≈ (total of a run with N scans − total with 0 scans) / N. Naming
//! detectors (`pii,secrets`, or `none`) turns all others off, which attributes the cost.

#[path = "../benches/corpus.rs"]
mod corpus;

use engine::{Detectors, Scanner, ScannerConfig, Source, ThreatType};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(8 * 1024);
    let scans: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let mut cfg = ScannerConfig::default();
    if let Some(only) = args.get(2).filter(|a| *a != "all") {
        cfg.detectors = Detectors::none();
        for name in only.split(',') {
            if let Some(t) = ThreatType::ALL.into_iter().find(|t| t.as_str() == name) {
                cfg.detectors.set(t, true);
            }
        }
    }
    cfg.use_model = !args.iter().any(|a| a == "nomodel");
    let scanner = Scanner::new(&cfg)?;
    let text = corpus::prompt(size);
    for _ in 0..scans {
        std::hint::black_box(scanner.scan(std::hint::black_box(&text), Source::UserInput));
    }
    Ok(())
}
