//! The wasm's exports and its two imports, written by hand: `wasm/js/wasm.js` is the other
//! side. Every call of the Rust API takes UTF-8 text or bytes and answers text, so the
//! whole interface is pointers, lengths and numbers. wasm-bindgen did the same with ~7 KB
//! of JavaScript (a class per type, an externref table for thrown values, strings passed
//! in two passes) and ~2 KB of wasm, 3 KB gzip of the package's 25 KB budget
//! (docs/benchmarks.md); nothing here needs what it adds.
//!
//! Conventions:
//! - Inputs: JavaScript asks [`buffer`] for `len` bytes, writes them, and passes
//!   `(ptr, len)`; the export takes the buffer and frees it. Text is TextEncoder's UTF-8.
//!   An optional text has a flag beside it (`has_*`: 0 is none).
//! - Answers: text is left in the answer slot, read with [`answer_ptr`] and
//!   [`answer_len`] before the next call; the export returns [`OK`], [`NONE`] (no text) or
//!   [`ERROR`] (the text is the error's JSON, see [`crate::report`]).
//! - Objects: `Box` pointers; a constructor that fails returns 0 with its error in the
//!   slot; each type has a `*_free` export.
//!
//! One thread (wasm32 without atomics): the slot is a plain cell.
//!
//! The conventions above are every export's safety contract, so the exports carry no
//! `# Safety` section each; and they take their arguments flat, as the ABI does.
#![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use crate::{Call, Engine, Signer};

/// The answer is text.
const OK: u32 = 0;
/// There is no answer (`validate` of a valid input).
const NONE: u32 = 1;
/// The answer is an error's JSON.
const ERROR: u32 = 2;

struct Slot(UnsafeCell<String>);

// SAFETY: wasm32 without the atomics feature runs one thread; nothing else exists.
unsafe impl Sync for Slot {}

static ANSWER: Slot = Slot(UnsafeCell::new(String::new()));

fn answer(result: Result<Option<String>, String>) -> u32 {
    let (code, text) = match result {
        Ok(Some(text)) => (OK, text),
        Ok(None) => (NONE, String::new()),
        Err(json) => (ERROR, json),
    };
    // SAFETY: one thread, and no reference into the slot outlives an export.
    unsafe { *ANSWER.0.get() = text };
    code
}

fn answer_text(result: Result<String, String>) -> u32 {
    answer(result.map(Some))
}

/// Where the last answer's text starts.
#[no_mangle]
pub extern "C" fn answer_ptr() -> *const u8 {
    // SAFETY: see `answer`.
    unsafe { (&*ANSWER.0.get()).as_ptr() }
}

/// The last answer's length in bytes.
#[no_mangle]
pub extern "C" fn answer_len() -> usize {
    // SAFETY: see `answer`.
    unsafe { (&*ANSWER.0.get()).len() }
}

/// A buffer of `len` bytes for an input, taken (and freed) by the export it is passed to.
#[no_mangle]
pub extern "C" fn buffer(len: usize) -> *mut u8 {
    // `with_capacity` allocates exactly `len` (documented), which `bytes` relies on.
    let mut buffer = Vec::<u8>::with_capacity(len);
    let ptr = buffer.as_mut_ptr();
    core::mem::forget(buffer);
    ptr
}

/// Takes back a buffer from [`buffer`], filled with `len` bytes.
///
/// SAFETY: `ptr` and `len` are a buffer's, filled by the JavaScript, passed once.
unsafe fn bytes(ptr: *mut u8, len: usize) -> Vec<u8> {
    unsafe { Vec::from_raw_parts(ptr, len, len) }
}

/// Takes back a buffer holding text.
///
/// SAFETY: as [`bytes`], and the bytes are UTF-8: `wasm.js` writes only TextEncoder's
/// output into text buffers (checking again would add code for a case that can't occur).
unsafe fn text(ptr: *mut u8, len: usize) -> String {
    unsafe { String::from_utf8_unchecked(bytes(ptr, len)) }
}

/// An optional text: none unless `has` is 1 (the buffer is then taken as [`text`]).
///
/// SAFETY: as [`text`] when `has` is 1; nothing is read otherwise.
unsafe fn optional(has: u32, ptr: *mut u8, len: usize) -> Option<String> {
    (has == 1).then(|| unsafe { text(ptr, len) })
}

/// Hands a new object to the JavaScript, or leaves the error in the slot and returns 0.
fn boxed<T>(result: Result<T, String>) -> *mut T {
    match result {
        Ok(value) => Box::into_raw(Box::new(value)),
        Err(json) => {
            answer(Err(json));
            core::ptr::null_mut()
        }
    }
}

/// `crate::validate`.
///
/// SAFETY (every export below): pointer and length pairs are buffers as the module's
/// conventions say; object pointers are live objects of their type from this module.
#[no_mangle]
pub unsafe extern "C" fn validate(
    op: *mut u8,
    op_len: usize,
    json: *mut u8,
    json_len: usize,
) -> u32 {
    let (op, json) = unsafe { (text(op, op_len), bytes(json, json_len)) };
    answer(crate::validate(&op, &json))
}

/// `crate::resolve_endpoint`.
#[no_mangle]
pub unsafe extern "C" fn resolve_endpoint(
    region: *mut u8,
    region_len: usize,
    use_fips: u32,
    use_dual_stack: u32,
    has_endpoint: u32,
    endpoint: *mut u8,
    endpoint_len: usize,
) -> u32 {
    let region = unsafe { text(region, region_len) };
    let endpoint = unsafe { optional(has_endpoint, endpoint, endpoint_len) };
    answer_text(crate::resolve_endpoint(
        &region,
        use_fips == 1,
        use_dual_stack == 1,
        endpoint,
    ))
}

/// [`Engine::new`]: the engine, or 0 with the error in the slot.
#[no_mangle]
pub unsafe extern "C" fn engine_new(
    region: *mut u8,
    region_len: usize,
    use_fips: u32,
    use_dual_stack: u32,
    has_endpoint: u32,
    endpoint: *mut u8,
    endpoint_len: usize,
    max_attempts: u32,
    has_account: u32,
    account: *mut u8,
    account_len: usize,
    region_header: u32,
) -> *mut Engine {
    let region = unsafe { text(region, region_len) };
    let endpoint = unsafe { optional(has_endpoint, endpoint, endpoint_len) };
    let account = unsafe { optional(has_account, account, account_len) };
    boxed(Engine::new(
        &region,
        use_fips == 1,
        use_dual_stack == 1,
        endpoint,
        max_attempts,
        account,
        region_header == 1,
    ))
}

#[no_mangle]
pub unsafe extern "C" fn engine_free(engine: *mut Engine) {
    drop(unsafe { Box::from_raw(engine) });
}

/// [`Engine::url`].
#[no_mangle]
pub unsafe extern "C" fn engine_url(engine: *const Engine) -> u32 {
    answer_text(Ok(unsafe { &*engine }.url()))
}

/// [`Engine::clock_offset_seconds`].
#[no_mangle]
pub unsafe extern "C" fn engine_clock_offset_seconds(engine: *const Engine) -> f64 {
    unsafe { &*engine }.clock_offset_seconds()
}

/// [`Engine::set_credentials`].
#[no_mangle]
pub unsafe extern "C" fn engine_set_credentials(
    engine: *mut Engine,
    key: *mut u8,
    key_len: usize,
    secret: *mut u8,
    secret_len: usize,
    has_token: u32,
    token: *mut u8,
    token_len: usize,
) {
    let (key, secret) = unsafe { (text(key, key_len), text(secret, secret_len)) };
    let token = unsafe { optional(has_token, token, token_len) };
    unsafe { &mut *engine }.set_credentials(key, secret, token);
}

/// [`Engine::start`]: the call, or 0 with the error in the slot.
#[no_mangle]
pub unsafe extern "C" fn engine_start(
    engine: *const Engine,
    op: *mut u8,
    op_len: usize,
    json: *mut u8,
    json_len: usize,
) -> *mut Call {
    let (op, json) = unsafe { (text(op, op_len), text(json, json_len)) };
    boxed(unsafe { &*engine }.start(&op, json))
}

/// [`Engine::request`].
#[no_mangle]
pub unsafe extern "C" fn engine_request(engine: *mut Engine, call: *mut Call, now_ms: f64) -> u32 {
    answer_text(unsafe { &mut *engine }.request(unsafe { &mut *call }, now_ms))
}

/// [`Engine::response`].
#[no_mangle]
pub unsafe extern "C" fn engine_response(
    engine: *mut Engine,
    call: *mut Call,
    status: u32,
    headers: *mut u8,
    headers_len: usize,
    body: *mut u8,
    body_len: usize,
    now_ms: f64,
    random: f64,
) -> u32 {
    let (headers, body) = unsafe { (text(headers, headers_len), bytes(body, body_len)) };
    // fetch's statuses are 0 to 599: anything past u16 is no status at all.
    let status = u16::try_from(status).unwrap_or(0);
    let outcome = unsafe { &mut *engine }.response(
        unsafe { &mut *call },
        status,
        &headers,
        &body,
        now_ms,
        random,
    );
    answer_text(Ok(outcome))
}

/// [`Engine::transport_failure`].
#[no_mangle]
pub unsafe extern "C" fn engine_transport_failure(
    engine: *mut Engine,
    call: *mut Call,
    sent: u32,
    now_ms: f64,
    random: f64,
) -> u32 {
    let outcome =
        unsafe { &mut *engine }.transport_failure(unsafe { &mut *call }, sent == 1, now_ms, random);
    answer_text(Ok(outcome))
}

#[no_mangle]
pub unsafe extern "C" fn call_free(call: *mut Call) {
    drop(unsafe { Box::from_raw(call) });
}

/// [`Call::attempts`].
#[no_mangle]
pub unsafe extern "C" fn call_attempts(call: *const Call) -> u32 {
    unsafe { &*call }.attempts()
}

#[link(wasm_import_module = "ssm_edge")]
extern "C" {
    /// The host's SHA-256 (`wasm.js`: `node:crypto`'s in Node): writes the lowercase hex
    /// digest of `len` bytes at `data` into the 64 bytes at `out`. It must not throw.
    fn host_sha256(data: *const u8, len: usize, out: *mut u8);
}

#[cfg(feature = "bundle")]
#[link(wasm_import_module = "ssm_edge")]
extern "C" {
    /// The host's regular expressions (`wasm.js`: the model's pattern number `index` as a
    /// `RegExp` with the `u` flag): 1 when the `len` bytes of UTF-8 at `text` match, else
    /// 0. It must not throw.
    fn pattern_match(index: u32, text: *const u8, len: usize) -> u32;
}

/// `ssm_edge_core::validate::Pattern::is_match` in the package (the core's
/// `host-patterns`): the host matches.
#[cfg(feature = "bundle")]
#[no_mangle]
fn ssm_edge_host_pattern_match(index: u32, value: &str) -> bool {
    // SAFETY: the import only reads the `value.len()` bytes at `value.as_ptr()`.
    unsafe { pattern_match(index, value.as_ptr(), value.len()) == 1 }
}

/// The host's SHA-256 for [`Signer`], faster than the wasm's where the host has SHA
/// instructions.
struct HostSha256;

impl ssm_edge_core::sign::Sha256Hex for HostSha256 {
    fn sha256_hex(&self, data: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        // SAFETY: the import reads `data` and writes 64 bytes into `out`, nothing else.
        unsafe { host_sha256(data.as_ptr(), data.len(), out.as_mut_ptr()) };
        out
    }
}

/// [`Signer::new`], hashing with the host's SHA-256 when `host_sha256` is 1.
#[no_mangle]
pub extern "C" fn signer_new(host_sha256: u32) -> *mut Signer {
    let host =
        (host_sha256 == 1).then_some(&HostSha256 as &'static dyn ssm_edge_core::sign::Sha256Hex);
    Box::into_raw(Box::new(Signer::new(host)))
}

#[no_mangle]
pub unsafe extern "C" fn signer_free(signer: *mut Signer) {
    drop(unsafe { Box::from_raw(signer) });
}

/// [`Signer::sign`].
#[no_mangle]
pub unsafe extern "C" fn signer_sign(
    signer: *mut Signer,
    fields: *mut u8,
    fields_len: usize,
    header_count: u32,
    body: *mut u8,
    body_len: usize,
    now_ms: f64,
) -> u32 {
    let (fields, body) = unsafe { (bytes(fields, fields_len), bytes(body, body_len)) };
    answer_text(unsafe { &mut *signer }.sign(&fields, header_count, &body, now_ms))
}
