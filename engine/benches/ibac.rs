//! IBAC intent detection on a 2 KB prompt (benign prose, with and without one data request), a
//! short request, and the shared normalisation on the same 2 KB for reference.
//!
//! `cargo bench -p engine --bench ibac`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use engine::ibac::{CustomCategory, IbacConfig, IntentDetector};

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

/// Benign prose of about `size` bytes with, when `ask` is set, one data request in the middle.
fn prompt(size: usize, ask: bool) -> String {
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

fn ibac(c: &mut Criterion) {
    let Ok(detector) = IntentDetector::new(&IbacConfig::default()) else {
        return;
    };
    let custom = IbacConfig {
        custom: vec![
            CustomCategory::literal("loyalty", &["reward miles", "gold tier", "points balance"]),
            CustomCategory::regex("tickets", &[r"\bTCK-\d{5}\b"]),
        ],
        ..IbacConfig::default()
    };
    let Ok(with_custom) = IntentDetector::new(&custom) else {
        return;
    };
    let mut group = c.benchmark_group("ibac_detect");
    for (name, text) in [("2KB_benign", prompt(2048, false)), ("2KB_with_request", prompt(2048, true))] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| b.iter(|| detector.detect(std::hint::black_box(&text))));
    }
    let text = prompt(2048, true);
    group.bench_function("2KB_with_request_custom_categories", |b| {
        b.iter(|| with_custom.detect(std::hint::black_box(&text)))
    });
    group.bench_function("short_request", |b| {
        b.iter(|| detector.detect(std::hint::black_box("What's my credit card on file?")))
    });
    group.bench_function("2KB_explain", |b| b.iter(|| detector.explain(std::hint::black_box(&text))));
    group.finish();
    c.bench_function("normalise_views_2KB", |b| b.iter(|| engine::normalise::views(std::hint::black_box(&text))));
    c.bench_function("ibac_build_with_custom_literals", |b| {
        b.iter(|| IntentDetector::new(std::hint::black_box(&custom)))
    });
}

criterion_group!(benches, ibac);
criterion_main!(benches);
