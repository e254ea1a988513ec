//! The wasm exports in a browser:
//! `wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver wasm --test web`.
//! The tests themselves are shared with the Node.js run (`tests/node.rs`).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn runs_in_a_browser() {
    let global = js_sys::global();
    let has = |name: &str| js_sys::Reflect::has(&global, &name.into()).unwrap();
    assert!(
        has("document") && has("navigator"),
        "no `document`: not a browser page?"
    );
    assert!(!has("process"), "`process` exists: not a browser?");
}
