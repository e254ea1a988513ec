// Cold start, diagnostic: an ES module that only writes one line to stdout, as every signing
// script does to show its Authorization (Node sets up its stdout pipe on the first write).
process.stdout.write("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/");
