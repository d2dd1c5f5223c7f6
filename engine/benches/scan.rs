//! Full scan (all detectors, level medium) of realistic prompts: 1 KB, 8 KB, 64 KB.
//!
//! `cargo bench -p engine --bench scan`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use engine::{Scanner, ScannerConfig, Source};

mod corpus;

fn scan(c: &mut Criterion) {
    let Ok(scanner) = Scanner::new(&ScannerConfig::default()) else {
        return;
    };
    let mut group = c.benchmark_group("scan_medium");
    for size in [1024usize, 8 * 1024, 64 * 1024] {
        let text = corpus::prompt(size);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{}KB", size / 1024)), &text, |b, t| {
            b.iter(|| scanner.scan(std::hint::black_box(t), Source::UserInput));
        });
    }
    group.finish();
    let text = corpus::prompt(8 * 1024);
    c.bench_function("normalise_8KB", |b| b.iter(|| engine::normalise::views(std::hint::black_box(&text))));
}

criterion_group!(benches, scan);
criterion_main!(benches);
