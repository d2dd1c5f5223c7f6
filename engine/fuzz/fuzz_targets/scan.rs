#![no_main]

use engine::{normalise, Scanner, ScannerConfig, Source, ThreatLevel};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| Scanner::new(&ScannerConfig::with_level(ThreatLevel::High)).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let n = normalise::normalise(text);
    let _ = normalise::fold(&n);
    for d in engine::decode::decode_all(text) {
        assert!(text.is_char_boundary(d.start) && text.is_char_boundary(d.end));
    }
    for source in [Source::UserInput, Source::ToolOutput] {
        let v = scanner().scan(text, source);
        for f in &v.findings {
            assert_eq!(f.original, &text[f.start..f.end]);
        }
    }
});
