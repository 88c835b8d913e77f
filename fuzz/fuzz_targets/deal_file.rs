//! Any bytes as a deal file: validated, never a panic or a stack overflow.
#![no_main]
use libfuzzer_sys::fuzz_target;
use waterfall::deal::Deal;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Deal::from_text(std::path::Path::new("deal.toml"), &text);
});
