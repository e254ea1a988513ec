// Evaluates ECMA-262 regular expressions for tests/tests/pattern_oracle.rs.
//
// stdin:  {"cases": [case, ...]} where a case is either
//           {"pattern": "<regex source>", "strings": ["...", ...]} or
//           {"pattern": "<regex source>", "frame": ["<before>", "<after>"]}, which stands for
//           before + c + after for every Unicode scalar value c, in code point order
//           (U+0000..U+10FFFF without the surrogates U+D800..U+DFFF).
// stdout: {"unicode": "<node's Unicode version>", "results": ["0110...", ...]}
//         one '0'/'1' per string: new RegExp(pattern, 'u').test(string), which is
//         how Smithy defines @pattern (ECMA-262, `u` flag, not implicitly anchored).
'use strict';

function* scalars() {
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp < 0xd800 || cp > 0xdfff) yield String.fromCodePoint(cp);
  }
}

function evaluate({ pattern, strings, frame }) {
  const re = new RegExp(pattern, 'u'); // no `g`/`y` flag: test() ignores lastIndex
  const bits = [];
  if (frame) {
    const [before, after] = frame;
    for (const c of scalars()) bits.push(re.test(before + c + after) ? '1' : '0');
  } else {
    for (const s of strings) bits.push(re.test(s) ? '1' : '0');
  }
  return bits.join('');
}

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = request.cases.map(evaluate);
  process.stdout.write(JSON.stringify({ unicode: process.versions.unicode, results }));
});
