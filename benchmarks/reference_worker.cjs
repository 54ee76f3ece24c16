// Reads jobs (one JSON object per line: {"op": "serialize", "doc": ...} or
// {"op": "parse", "text": ...}) from stdin and writes one answer per line:
// {"text": ...}, {"doc": ...} or {"error": ...}. Used by compare_reference.py;
// the reference's folder comes from argv[2] (where it was npm-installed).
const path = require('path');
const folder = process.argv[2];
const ref = require(path.join(folder, 'node_modules', 'datocms-structured-text-dastdown'));
const lines = require('readline').createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
lines.on('line', (line) => {
  if (!line.trim()) return;
  const job = JSON.parse(line);
  let answer;
  try {
    answer = job.op === 'serialize' ? { text: ref.serialize(job.doc) } : { doc: ref.parse(job.text) };
  } catch (e) {
    answer = { error: String((e && e.message) || e).slice(0, 300) };
  }
  out.push(JSON.stringify(answer));
});
lines.on('close', () => process.stdout.write(out.join('\n') + '\n'));
