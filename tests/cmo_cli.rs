//! The agency CMO deals (FJF-01, -02, -04) as a user runs them: they have no
//! filings, run from closing, and the structuring commands read them.

use std::process::Command;

/// What one run of the binary printed and how it exited.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn waterfall(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_waterfall"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn reconcile_of_a_deal_without_filings_says_so_and_exits_2() {
    for deal in ["deals/fjf-01"] {
        let r = waterfall(&["reconcile", deal]);
        assert_eq!(r.code, Some(2), "{deal}: {r:?}");
        assert!(r.stdout.is_empty(), "{deal}: {r:?}");
        assert!(
            r.stderr.starts_with(&format!(
                "waterfall: {deal}/filings: the deal has no filings to reconcile"
            )),
            "{deal}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("runs from closing"), "{}", r.stderr);
    }
}

#[test]
fn show_says_a_deal_without_a_report_section_has_none() {
    let r = waterfall(&["show", "deals/fjf-01"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout
            .contains("report: none (the deal file has no [report]: no filings to reconcile; it runs from closing)"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("us-bank-statement"), "{}", r.stdout);
}
