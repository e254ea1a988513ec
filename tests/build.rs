//! Extracts README.md's Rust block (the one fenced as `rust test=cargo`) into
//! `$OUT_DIR/readme_block.rs` as the body of a function, so `tests/tests/readme.rs` compiles
//! and runs the README's text exactly as written (a broken snippet fails `cargo test`).

use std::path::Path;

fn main() {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    println!("cargo:rerun-if-changed={}", readme.display());
    let text = std::fs::read_to_string(&readme).expect("read README.md");
    let blocks = rust_blocks(&text);
    assert!(
        blocks.len() == 1,
        "README.md has {} ```rust test=cargo blocks; tests/tests/readme.rs runs exactly one",
        blocks.len()
    );
    let (line, block) = &blocks[0];
    let source = format!(
        "/// README.md's Rust block (from line {line}), with the names it leaves to the reader\n\
         /// (`akid`, `secret`, `token`, `input`) as parameters.\n\
         fn readme_block(\n    akid: String,\n    secret: String,\n    token: Option<String>,\n    \
         input: ssm_edge_core::model::SendCommandInput,\n\
         ) -> Result<ssm_edge_core::model::SendCommandOutput, Box<dyn std::error::Error>> {{\n\
         {block}    Ok(output)\n}}\n"
    );
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("readme_block.rs");
    std::fs::write(out, source).expect("write readme_block.rs");
}

/// The `rust test=cargo` fenced blocks: (1-based line of the first code line, code).
fn rust_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        match current.as_mut() {
            None if line.trim_end() == "```rust test=cargo" => {
                current = Some((index + 2, String::new()));
            }
            None => {}
            Some(_) if line.trim_end() == "```" => blocks.extend(current.take()),
            Some((_, code)) => {
                code.push_str(line);
                code.push('\n');
            }
        }
    }
    blocks
}
