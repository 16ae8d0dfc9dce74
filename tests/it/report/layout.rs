//! The report as people see it: `rota solve` and `rota report --html` give the same page,
//! and Debian's headless Chromium lays it out without sideways scrolling on a 420 px
//! phone and a 1280 px screen (`make deps` installs `chromium`).
//!
//! Chromium's window cannot be narrower than 500 px, so the page is measured inside an
//! iframe of the width under test: the iframe is the page's viewport (its media queries
//! apply), and a script of the outer page reads the inner document's `scrollWidth` once it
//! has loaded, before `--dump-dom` prints the outer DOM.

use std::path::Path;
use std::process::Command;

use crate::support::{arg, expect_code, root, rota_with_env, work_dir};

const EPOCH: (&str, &str) = ("SOURCE_DATE_EPOCH", "1798761600");

/// The example team solved into a fresh directory; returns report.html's text.
fn solved_report(dir: &Path) -> String {
    let config = root().join("configs/example.toml");
    let out = rota_with_env(
        &[
            "solve",
            arg(&config),
            "-o",
            arg(dir),
            "--time-limit",
            "2",
            "--quiet",
        ],
        &[EPOCH],
    );
    expect_code(&out, 0);
    std::fs::read_to_string(dir.join("report.html")).expect("report.html written")
}

#[test]
fn solve_and_report_html_give_the_same_page() {
    let dir = work_dir("report-layout", "same-page");
    let solved = solved_report(&dir.join("out"));
    let again = dir.join("again.html");
    let out = rota_with_env(
        &[
            "report",
            arg(&dir.join("out/schedule.json")),
            "--html",
            arg(&again),
        ],
        &[EPOCH],
    );
    expect_code(&out, 0);
    let reported = std::fs::read_to_string(&again).expect("written");
    assert_eq!(reported, solved);
    // Names, the team's zone and subscribe links, not ids in UTC.
    assert!(solved.contains("times in America&#x2f;New_York"), "zone");
    assert!(
        solved.contains("webcal:&#x2f;&#x2f;oncall.example.org"),
        "links"
    );
}

/// `(viewport width, document width)` of `page` laid out `width` px wide.
fn measure(page: &str, width: u32, dir: &Path) -> (u32, u32) {
    let escaped = page
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    let probe = format!(
        "<!DOCTYPE html><html><body style=\"margin:0\">\
         <iframe width=\"{width}\" height=\"900\" style=\"border:0\" srcdoc=\"{escaped}\" \
         onload=\"document.body.insertAdjacentHTML('beforeend', '<pre id=measured>' + \
         this.contentWindow.innerWidth + ' ' + \
         this.contentDocument.documentElement.scrollWidth + '</pre>')\"></iframe>\
         </body></html>"
    );
    let file = dir.join(format!("probe-{width}.html"));
    std::fs::write(&file, probe).expect("probe written");
    let profile = dir.join(format!("profile-{width}"));
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            "--window-size=1400,1000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap_or_else(|e| panic!("chromium does not run ({e}): `make deps` installs it"));
    let dom = String::from_utf8_lossy(&out.stdout);
    let measured = dom
        .split("<pre id=\"measured\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("no measurement in chromium's DOM:\n{dom}"));
    let numbers: Vec<u32> = measured
        .split_whitespace()
        .map(|n| n.parse().expect("a width"))
        .collect();
    (numbers[0], numbers[1])
}

#[test]
fn the_report_fits_a_phone_and_a_screen_without_sideways_scrolling() {
    let dir = work_dir("report-layout", "widths");
    let page = solved_report(&dir.join("out"));
    for width in [420, 1280] {
        let (viewport, document) = measure(&page, width, &dir);
        assert_eq!(viewport, width, "the iframe is the viewport");
        assert!(
            document <= viewport,
            "{width} px: the page is {document} px wide"
        );
    }
}
