//! Any bytes as a CarMax servicer certificate: parsed into figures, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use waterfall::report::{Layout, parse_filing};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_filing(
        Layout::CarmaxServicerCertificate,
        std::path::Path::new("2025-05-15.txt"),
        &text,
    );
});
