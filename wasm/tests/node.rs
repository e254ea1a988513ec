//! The wasm exports under Node.js: `wasm-pack test --node wasm --test node`.
//! The tests themselves are shared with the browser run (`tests/web.rs`).
#![cfg(target_arch = "wasm32")]

mod common;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn runs_under_node() {
    let process = js_sys::Reflect::get(&js_sys::global(), &"process".into()).unwrap();
    assert!(process.is_object(), "no `process` global: not Node.js?");
}
