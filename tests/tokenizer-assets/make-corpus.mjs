// Writes tests/fixtures/tokenizer/corpus.txt: the text the C# tokenizer is compared on, one case a
// line. Deterministic (a seeded PRNG, no clock, no environment), so running it again gives the same
// file byte for byte.
//
// Escapes, decoded the same way by encode.mjs and the C# tests (see docs/tokenizers.md):
//   U+23CE "⏎" stands for a line feed "\n" and U+240D "␍" for a carriage return "\r",
// so a case can hold real newlines, double newlines and CRLF while the file stays one case a line.
// Tabs, runs of spaces and trailing spaces are written as they are. No other character is escaped.
//
// Usage: node make-corpus.mjs [output path]   (default: ../fixtures/tokenizer/corpus.txt)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const output = resolve(process.argv[2] ?? resolve(here, "../fixtures/tokenizer/corpus.txt"));

// mulberry32: a small, well-known 32-bit PRNG; the seed fixes the corpus.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20240611);
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const pick = (items) => items[Math.floor(random() * items.length)];
const chance = (p) => random() < p;
const NL = "⏎";
const CR = "␍";

const lines = [];
const add = (category, text) => {
  if (text.includes("\n") || text.includes("\r")) {
    throw new Error(`raw newline in a ${category} case; use ${NL} or ${CR}`);
  }
  lines.push(text);
};

// ---- English prose -------------------------------------------------------------------------
const subjects = ["The farmer", "A student", "Our team", "The old lighthouse keeper", "Everyone", "She", "They", "IT", "The committee's chair", "My neighbour"];
const verbs = ["walked", "noticed", "didn't expect", "couldn't believe", "explained", "wrote down", "re-read", "over-estimated", "wasn't sure about", "they'll revisit"];
const objects = ["the answer", "a long, winding road", "the results of the experiment", "what we'd planned", "an e-mail from the bank", "the 3rd chapter", "everything", "the (unlikely) outcome", "\"the plan\"", "his brother's bicycle"];
const tails = [".", "!", "?", "...", ";", " -- really.", " (again).", ", and then stopped.", ": nothing more.", "?!"];
for (let i = 0; i < 150; i++) {
  let sentence = `${pick(subjects)} ${pick(verbs)} ${pick(objects)}${pick(tails)}`;
  if (chance(0.4)) sentence += ` ${pick(subjects)} ${pick(verbs)} ${pick(objects)}${pick(tails)}`;
  if (chance(0.15)) sentence = sentence.toUpperCase();
  if (chance(0.1)) sentence = sentence.replace(/'/g, "’");
  if (chance(0.1)) sentence = "   " + sentence;
  if (chance(0.1)) sentence = sentence + pick(["  ", " ", "\t", " \t "]);
  add("prose", sentence);
}
for (const contraction of ["I'm", "you're", "we've", "she'll", "he'd", "it's", "don't", "I'M", "YOU'RE", "We'Ve", "IT'S", "o'clock", "rock 'n' roll", "'twas", "the cats' toys", "l'été"]) {
  add("prose", `Well, ${contraction} here -- ${contraction}'s fine.`);
}

// ---- GSM8K-style word problems -------------------------------------------------------------
const names = ["Janet", "Tom", "Aisha", "Mr. Lee", "Carla", "Ravi", "Zoë", "Björn", "Ms. O'Brien", "Kenji"];
const items = ["apples", "pencils", "tickets", "cupcakes", "bricks", "stamps", "eggs", "marbles"];
const money = () => {
  const cents = int(0, 99).toString().padStart(2, "0");
  const dollars = int(1, 99999).toLocaleString("en-US");
  return `$${dollars}${chance(0.6) ? "." + cents : ""}`;
};
const bigNumber = () => int(1000, 99999999).toLocaleString("en-US");
for (let i = 0; i < 160; i++) {
  const name = pick(names);
  const a = int(2, 500);
  const b = int(2, 90);
  const templates = [
    () => `${name} has ${a} ${pick(items)}. She buys ${b} more at ${money()} each. How much does she spend in total?`,
    () => `A store sold ${bigNumber()} ${pick(items)} in ${int(2, 12)} months. If each costs ${money()}, what was the revenue?`,
    () => `${name} runs ${int(1, 20)}.${int(0, 9)} km a day for ${int(2, 30)} days. How far is that? Answer: ${int(10, 600)}.${int(0, 99)} km`,
    () => `The price rose by ${int(1, 99)}% from ${money()} to ${money()}. What is the new price?`,
    () => `${name} earns ${money()} per hour and works ${a} hours. After a ${int(5, 40)}% tax, how much is left?${NL}Let's think step by step.`,
    () => `If ${a} * ${b} = ${a * b} and ${a * b} / ${b} = ${a}, then ${a} + ${b} = ${a + b}.`,
    () => `#### ${int(0, 100000)}`,
    () => `${name} had ${a} ${pick(items)}.${NL}${name} gave away ${Math.min(a, b)}.${NL}${NL}So ${name} has ${a} - ${Math.min(a, b)} = ${a - Math.min(a, b)} left.${NL}#### ${a - Math.min(a, b)}`,
    () => `Step 1: ${a} x ${b} = ${a * b}.${NL}Step 2: ${a * b} + ${int(1, 99)} = ?${NL}The answer is \\boxed{${a * b}}.`,
  ];
  add("gsm8k", pick(templates)());
}

// ---- LaTeX ----------------------------------------------------------------------------------
const latex = [
  () => `\\frac{${int(1, 9)}}{${int(2, 99)}}`,
  () => `\\boxed{${int(0, 9999)}}`,
  () => `x^{${int(2, 12)}} + ${int(1, 50)}x - ${int(1, 99)} = 0`,
  () => `$\\sqrt{${int(2, 200)}} \\approx ${(Math.sqrt(int(2, 200))).toFixed(int(1, 6))}$`,
  () => `\\[ \\sum_{i=1}^{${int(2, 100)}} i = \\frac{n(n+1)}{2} \\]`,
  () => `\\left( \\frac{a}{b} \\right)^{2} \\cdot \\pi r^2`,
  () => `\\int_0^{\\infty} e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}`,
  () => `$$\\begin{aligned} y &= ${int(2, 9)}x + ${int(1, 9)} \\\\ &= ${int(10, 99)} \\end{aligned}$$`,
  () => `\\textbf{Answer:} $\\boxed{\\dfrac{${int(1, 9)}}{${int(2, 9)}}}$`,
  () => `\\mathbb{R}^{n \\times m}, \\alpha_{t} \\leq \\beta^{(k)}_{ij}`,
];
for (let i = 0; i < 110; i++) {
  let text = pick(latex)();
  if (chance(0.5)) text = `So the result is ${text}.`;
  if (chance(0.2)) text = `${pick(latex)()}${NL}${text}`;
  add("latex", text);
}

// ---- Code -----------------------------------------------------------------------------------
const python = [
  `def add(a, b):${NL}    return a + b`,
  `class Stack:${NL}    def __init__(self):${NL}        self.items = []${NL}${NL}    def push(self, x):${NL}        self.items.append(x)`,
  `for i in range(10):${NL}\tif i % 2 == 0:${NL}\t\tprint(f"{i} is even")`,
  `import numpy as np${NL}x = np.zeros((3, 4), dtype=np.float32)  # shape [3, 4]`,
  `if __name__ == "__main__":${NL}    main()${NL}`,
  `    result = [x ** 2 for x in xs if x > 0]    `,
  `lambda x: x['key'] or {"a": 1, 'b': [1, 2, 3]}`,
  `try:${NL}    1 / 0${NL}except ZeroDivisionError as e:${NL}    raise ValueError("bad") from e`,
];
const csharp = [
  `public sealed class Point${NL}{${NL}    public int X { get; init; }${NL}    public int Y { get; init; }${NL}}`,
  `var ids = new List<int>(capacity: 16);${NL}foreach (var id in ids)${NL}{${NL}    Console.WriteLine($"id = {id}");${NL}}`,
  `namespace Reasoning.Policy;${NL}${NL}internal static class Math2 { public static double Sq(double x) => x * x; }`,
  `if (x != null && x.Length >= 2) { return x[..2]; } // C# 8 ranges`,
  `private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);`,
  `        await foreach (var item in source.WithCancellation(ct)) { }`,
  `/// <summary>Adds <paramref name="a"/> to b.</summary>${NL}public static int Add(int a, int b) => a + b;`,
];
const shell = [`$ dotnet test --filter "FullyQualifiedName~Tokenization"`, `echo "hello" | tr a-z A-Z > out.txt && cat out.txt`, `<div class="x">&nbsp;&lt;tag&gt;</div>`, `{"key": [1, 2.5, -3e10, null, true], "nested": {"a": "b"}}`, `SELECT id, name FROM users WHERE age >= 18 ORDER BY name;`];
for (let i = 0; i < 120; i++) {
  const source = pick([python, python, csharp, csharp, shell]);
  let text = pick(source);
  if (chance(0.2)) text = text.replace(/    /g, "\t");
  if (chance(0.15)) text = text + NL;
  if (chance(0.1)) text = "```python" + NL + text + NL + "```";
  add("code", text);
}
for (const text of python.concat(csharp, shell)) add("code", text);

// ---- Unicode --------------------------------------------------------------------------------
const unicode = [
  "café naïve résumé Zürich façade coöperate Ångström", "Ça va? Où est l'hôtel? ¿Qué tal? ¡Olé!",
  "中文分词测试：我们今天去公园散步。", "日本語のテキスト、カタカナとひらがな。", "한국어 문장입니다. 안녕하세요!",
  "Привет, мир! Съешь же ещё этих мягких французских булок.", "Γειά σου Κόσμε, αβγδ ΑΒΓΔ",
  "مرحبا بالعالم، هذا نص عربي ١٢٣٤٥", "שלום עולם", "नमस्ते दुनिया, यह हिंदी है।", "สวัสดีชาวโลก", "Tiếng Việt có dấu: đường, người, trường",
  "emoji: 😀😃😄 👍🏽 🇫🇷 👨‍👩‍👧‍👦 ❤️ ✅", "😀abc 🙂Hello 🎉2024 🚀x", "x😀y😀z", "🤔?!", "a\u0308 o\u0308 u\u0308 (decomposed umlauts)",
  "q\u0307\u0323 combining dot above and below", "e\u0301\u0301\u0301 stacked accents", "Z\u0351\u0352\u0353a\u0354\u0355l\u0356g\u0357o\u0358",
  "𝐀𝐁𝐂 𝑥 𝒚 𝔸 (mathematical letters)", "𠀀𠀁𠀂 CJK extension B", "𐌰𐌱𐌲 Gothic", "𝟘𝟙𝟚 math digits ½ ¾ ² ³ Ⅻ ⅷ",
  "non\u00a0breaking\u00a0space and\u2009thin\u2009space and\u3000ideographic", "zero\u200bwidth\u200cjoiners\u200d here",
  "soft\u00adhyphen and \ufeffBOM inside", "fullwidth ＡＢＣ１２３ ｶﾀｶﾅ", "ligatures ﬁ ﬂ ﬀ and ﹏ ℃ ℉ №",
  "\u0001\u0002 control \u007f chars \u001b[0m", "¥100 €2,50 £3.99 ₹1,00,000 ₿0.001", "«guillemets» „Anführungszeichen“ ‘single’",
  "Hello\u2028line separator\u2029paragraph separator", "next\u0085line mongolian\u180evowel bom\ufeff zwsp\u200b figure\u2007space \ufeffx \u0085 y", "tab\u000bvertical\u000cform feed", "mixed 中文English混合123数字",
];
for (const text of unicode) add("unicode", text);
// Normalization edge cases (Qwen normalizes to NFC): conjoining Hangul jamo, singletons (Angstrom and
// Ohm signs), a composition exclusion (U+0958), marks out of canonical order, a text that starts with
// a combining mark; case folding beyond ASCII next to the contraction pattern (?i:'s|'t|...).
for (const text of [
  "\u1100\u1161\u11a8 \u1112\u1161\u11ab\u1100\u1173\u11af conjoining jamo", "\u212b\u2126 \u0958\u0959 \u1e9b\u0323 singletons",
  "a\u0301\u0316\u0300 reordered marks", "\u0301 starts with a mark", "\u0344\u0340 \u0f73 \u0f75 decomposing marks",
  "it'\u017f and IT'\u212a and o'\u0130 (long s, Kelvin sign, dotted I)", "ǅemal ǈ ǋ titlecase letters",
]) add("unicode", text);
// Words longer than any cache bound.
add("unicode", "a".repeat(300) + " " + "7".repeat(300) + " " + "é".repeat(150) + "😀".repeat(80));
add("whitespace", `line${CR}carriage${CR}${CR}returns ${" ".repeat(40)}end`);
const scripts = [
  [0x4e00, 0x9fff], [0x3040, 0x30ff], [0xac00, 0xd7a3], [0x0400, 0x04ff], [0x0600, 0x06ff], [0x0900, 0x097f],
  [0x00c0, 0x024f], [0x1f600, 0x1f64f], [0x1f300, 0x1f5ff], [0x2200, 0x22ff], [0x0300, 0x036f], [0x1d400, 0x1d7ff], [0x20000, 0x2a6df],
];
for (let i = 0; i < 120; i++) {
  let text = "";
  const parts = int(1, 5);
  for (let p = 0; p < parts; p++) {
    const [lo, hi] = pick(scripts);
    const n = int(1, 8);
    for (let k = 0; k < n; k++) text += String.fromCodePoint(int(lo, hi));
    text += pick([" ", "", "", ", ", "a", "1", "  ", "\t", NL, "'s "]);
  }
  add("unicode", text);
}

// ---- Whitespace -----------------------------------------------------------------------------
const words = ["alpha", "beta", "gamma", "x", "42", "end", "(", ")", "-", "Hello", "world"];
const gaps = [" ", "  ", "   ", "    ", "\t", "\t\t", " \t", NL, NL + NL, " " + NL, NL + " ", NL + "  ", NL + NL + NL, CR + NL, "  " + NL + NL + "  "];
for (let i = 0; i < 130; i++) {
  let text = chance(0.2) ? pick(gaps) : "";
  const n = int(2, 7);
  for (let k = 0; k < n; k++) text += pick(words) + (k < n - 1 ? pick(gaps) : "");
  if (chance(0.3)) text += pick([" ", "  ", "\t", "   ", NL, NL + NL, " " + NL]);
  add("whitespace", text);
}
for (const text of [" ", "  ", "\t", NL, NL + NL, " " + NL + " ", "a", " a", "a ", "  leading two", "trailing two  ", `end with newline${NL}`, `${NL}${NL}starts with two newlines`]) {
  add("whitespace", text);
}

// ---- Digit runs ---------------------------------------------------------------------------
for (let i = 0; i < 80; i++) {
  let digits = "";
  const n = int(1, 40);
  for (let k = 0; k < n; k++) digits += int(0, 9);
  const forms = [
    digits, `${digits}.${int(0, 999999)}`, `-${digits}`, `${int(1, 999)},${int(100, 999)},${int(100, 999)}`, `+1 (${int(200, 999)}) ${int(200, 999)}-${int(1000, 9999)}`,
    `2024-${String(int(1, 12)).padStart(2, "0")}-${String(int(1, 28)).padStart(2, "0")}T${int(10, 23)}:${int(10, 59)}:00Z`, `v${int(0, 9)}.${int(0, 99)}.${int(0, 999)}`,
    `${digits}abc${digits}`, `0x${int(0, 2 ** 31).toString(16).toUpperCase()}`, `${(random() * 1e6).toExponential(int(1, 8))}`, `١٢٣٤٥٦٧٨٩٠ ${digits}`,
  ];
  add("digits", pick(forms));
}

// ---- Special tokens inline ----------------------------------------------------------------
const specials = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<tool_call>", "<|fim_prefix|>"];
const fakes = ["<|im_start", "im_end|>", "< |im_end| >", "<|IM_END|>", "<thinking>", "</ think>", "<|endoftext", "<<|im_end|>>", "|<|im_end|>|"];
for (let i = 0; i < 90; i++) {
  let text = "";
  const n = int(1, 5);
  for (let k = 0; k < n; k++) {
    text += pick([pick(specials), pick(specials), pick(fakes)]);
    text += pick(["", " ", "hello", " world ", NL, "42", "  ", "user" + NL, "é", "😀"]);
  }
  add("special", text);
}
add("special", "<|endoftext|>");
add("special", "<|im_end|><|im_end|><|im_end|>");
add("special", `<think>${NL}Let me compute 12 * 13 = 156.${NL}</think>${NL}${NL}The answer is \\boxed{156}.`);
add("special", "text<|endoftext|>more text<|im_start|>");

// ---- Chat-formatted prompts (what PromptFormat renders; tests check these exact lines) ----
// chatml: <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n
const chatml = (question, system) =>
  (system === undefined ? "" : `<|im_start|>system${NL}${system}<|im_end|>${NL}`) +
  `<|im_start|>user${NL}${question}<|im_end|>${NL}<|im_start|>assistant${NL}`;
// llama3: <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{question}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n
const llama3 = (question, system) =>
  "<|begin_of_text|>" +
  (system === undefined ? "" : `<|start_header_id|>system<|end_header_id|>${NL}${NL}${system}<|eot_id|>`) +
  `<|start_header_id|>user<|end_header_id|>${NL}${NL}${question}<|eot_id|><|start_header_id|>assistant<|end_header_id|>${NL}${NL}`;
const questions = [
  "What is 2 + 3?",
  "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?",
  "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?",
  "Compute \\frac{3}{4} + \\frac{1}{8}.",
  "Résumé: 日本語で答えてください。",
];
const systems = [undefined, "You are a helpful assistant.", "Please reason step by step, and put your final answer within \\boxed{}."];
for (const question of questions) {
  for (const system of systems) {
    add("chat", chatml(question, system));
    add("chat", llama3(question, system));
  }
}

mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, lines.join("\n") + "\n", "utf8");
console.log(`${lines.length} lines -> ${output}`);
