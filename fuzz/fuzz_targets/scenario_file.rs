//! Any bytes as a scenario file: read and every scenario expanded (up to a
//! few), never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use waterfall::scenario::ScenarioSet;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(set) = ScenarioSet::from_text(std::path::Path::new("scenario.toml"), &text) {
        for i in 0..set.len().min(16) {
            let _ = set.get(i);
        }
    }
});
