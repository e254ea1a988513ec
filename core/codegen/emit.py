"""What every generator in core/codegen does with its output: format Rust with rustfmt,
then write the files, or (``--check``, as `make test` runs it) fail if any is stale."""

import html
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rustfmt(code):
    """Rust source as rustfmt (edition 2021) writes it."""
    return subprocess.run(
        ["rustfmt", "--edition", "2021"], input=code, capture_output=True, text=True, check=True
    ).stdout


def write_or_check(tool, files, check, rerun, fresh):
    """Writes each (path, text) of `files`, or with `check` exits naming the first stale
    one (`rerun` says how to regenerate) and else prints `fresh`."""
    if check:
        for path, text in files:
            current = open(path).read() if os.path.exists(path) else ""
            if current != text:
                sys.exit(f"{tool}: {os.path.relpath(path, ROOT)} is stale: run {rerun}")
        print(f"{tool}: {fresh}")
        return
    for path, text in files:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        print(f"{tool}: wrote {os.path.relpath(path, ROOT)} ({text.count(chr(10))} lines)")


def doc_line(text, fallback):
    """First sentence of the model's HTML documentation, as one safe rustdoc line."""
    if not text:
        return fallback
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    text = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    if m:
        text = m.group(1)
    if len(text) > 220:
        text = text[:217].rsplit(" ", 1)[0] + "..."
    for a, b in (("\\", "\\\\"), ("[", "\\["), ("]", "\\]"), ("<", "&lt;"), (">", "&gt;"), ("`", "'"), ("*", "\\*"), ("_", "\\_")):
        text = text.replace(a, b)
    if text.startswith(("#", "-", "+", "1.", "|", "=")):
        text = "\\" + text
    return text or fallback
