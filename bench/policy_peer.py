#!/usr/bin/python3
"""PyTorch-eager peer of `bench policy`: the same model and the same generation loop as the C# stack.

The C# command (experiments/Bench) starts this script as a subprocess and drives it over
stdin/stdout, one JSON object per line each way, so both stacks are measured in turn in the same run
on the same machine. Nothing in the product or its tests depends on it.

The model mirrors src/Policy/Model/Transformer.cs: a Llama-style decoder with RMSNorm, rotary
positions rotating the halves (x[:D/2], x[D/2:]), a fused qkv projection, attention over a
preallocated KV cache written in place, a SwiGLU MLP with a fused gate_up projection, grouped-query
attention by repeat_interleave and tied embeddings. Parameter names match the C# module's, so the
weights the C# side exports (raw little-endian float32 per tensor plus a JSON index) load by name.
It is written the idiomatic eager way (nanoGPT / Llama reference style); PyTorch 1.13 has no
scaled_dot_product_attention, so attention is the explicit matmul-softmax-matmul.

Run with Debian's python3 and python3-torch, linked to OpenBLAS (libopenblas0-openmp), 2 threads.

Commands (stdin, one JSON per line) and replies (stdout, one JSON per line):
  {"op": "hello", "threads": 2}                        -> versions, BLAS, threads
  {"op": "matmul", "sizes": [...], "seconds": s}       -> {"rates": {n: [GFLOP/s per repeat]}}
  {"op": "load", "name": ..., "config": {...}, "dir": path}   loads exported weights
  {"op": "generate", "name": ..., "prompts": [[ids]], "new_tokens": n, "cache": bool, "calls": k, "seed": s}
                                                        -> {"seconds": [per call], "tokens": generated per call}
  {"op": "train", "name": ..., "ids": [[...]], "targets": [[...]], "steps": k, "lr": ..., ...}
                                                        -> {"seconds": [per step], "losses": [...]}
  {"op": "memory", "reset": bool}                      -> {"peak": bytes, "current": bytes}
  {"op": "load_hf", "folder": path, "dtype": "float32" | "bfloat16"}
                                                        loads a Hugging Face folder with bench/hf_reference's reader
                                                        and model (replacing any loaded before) -> {"parameters", "seconds"}
  {"op": "greedy_hf", "prompts": [[ids]], "new_tokens": n, "calls": k}
                                                        -> {"prefill_seconds": [...], "decode_seconds": [...], "tokens": [[...]]}
  {"op": "unload_hf"}
  {"op": "quit"}

For a Hugging Face folder (`bench policy --shape`), the model is bench/hf_reference/reference.py's
BatchedModel: transformers' eager semantics over left-padded prompts, a preallocated KV cache and,
for bfloat16, the weights cast to bfloat16 and computed in it (norms and softmax in fp32), as
transformers runs a model loaded with torch_dtype=torch.bfloat16.
"""

import ctypes
import gc
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "hf_reference"))
import reference  # noqa: E402  (bench/hf_reference/reference.py: the independent Hugging Face reader and decoder)

IGNORE = -100


# ---------------------------------------------------------------------------------------------
# The model (shapes: B batch, T new positions, L attended positions, C dimension, H heads,
# G kv heads, D head dimension, V vocabulary)


class RmsNorm(nn.Module):
    def __init__(self, dimension, epsilon):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dimension))
        self.epsilon = epsilon

    def forward(self, x):
        return x * (x.pow(2).mean(-1, keepdim=True) + self.epsilon).rsqrt() * self.weight


def rotate(x, cos, sin):
    """Rotates pairs (x[i], x[i + D/2]) by position-dependent angles."""
    x1, x2 = x.chunk(2, -1)
    return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), -1)


class Attention(nn.Module):
    def __init__(self, c, layer):
        super().__init__()
        self.layer, self.heads, self.kv_heads, self.head_dim = layer, c["heads"], c["kv_heads"], c["dimension"] // c["heads"]
        self.qkv = nn.Linear(c["dimension"], (self.heads + 2 * self.kv_heads) * self.head_dim, bias=False)
        self.out = nn.Linear(self.heads * self.head_dim, c["dimension"], bias=False)

    def forward(self, x, cos, sin, mask, cache):
        b, t, _ = x.shape
        h, g, d = self.heads, self.kv_heads, self.head_dim
        q, k, v = self.qkv(x).split([h * d, g * d, g * d], -1)
        q = rotate(q.view(b, t, h, d).transpose(1, 2), cos, sin)  # [B, H, T, D]
        k = rotate(k.view(b, t, g, d).transpose(1, 2), cos, sin)  # [B, G, T, D]
        v = v.view(b, t, g, d).transpose(1, 2)                   # [B, G, T, D]
        if cache is not None:
            k, v = cache.append(self.layer, k, v)                  # [B, G, L, D]
        if g != h:
            k = k.repeat_interleave(h // g, 1)
            v = v.repeat_interleave(h // g, 1)
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d))  # [B, H, T, L]
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        elif t > 1:
            causal = torch.ones(t, k.shape[2], dtype=torch.bool).tril()
            scores = scores.masked_fill(~causal, float("-inf"))
        y = scores.softmax(-1) @ v                                # [B, H, T, D]
        return self.out(y.transpose(1, 2).reshape(b, t, h * d))   # [B, T, C]


class SwiGlu(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_up = nn.Linear(c["dimension"], 2 * c["hidden"], bias=False)
        self.down = nn.Linear(c["hidden"], c["dimension"], bias=False)

    def forward(self, x):
        gate, up = self.gate_up(x).chunk(2, -1)
        return self.down(F.silu(gate) * up)


class Block(nn.Module):
    def __init__(self, c, layer):
        super().__init__()
        self.attention_norm = RmsNorm(c["dimension"], c["norm_epsilon"])
        self.attention = Attention(c, layer)
        self.mlp_norm = RmsNorm(c["dimension"], c["norm_epsilon"])
        self.mlp = SwiGlu(c)

    def forward(self, x, cos, sin, mask, cache):
        x = x + self.attention(self.attention_norm(x), cos, sin, mask, cache)
        return x + self.mlp(self.mlp_norm(x))


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.tokens = nn.Embedding(c["vocabulary"], c["dimension"])
        self.blocks = nn.ModuleList([Block(c, i) for i in range(c["layers"])])
        self.norm = RmsNorm(c["dimension"], c["norm_epsilon"])
        self.output = None if c["tied"] else nn.Linear(c["dimension"], c["vocabulary"], bias=False)
        half = c["dimension"] // c["heads"] // 2
        frequencies = torch.pow(c["rope_theta"], -torch.arange(0, half, dtype=torch.float64) * 2.0 / (2 * half))
        angles = torch.outer(torch.arange(c["max_length"], dtype=torch.float64), frequencies)
        self.register_buffer("rope_cos", angles.cos().float(), persistent=False)
        self.register_buffer("rope_sin", angles.sin().float(), persistent=False)

    def forward(self, ids, positions, mask=None, cache=None):
        b, t = ids.shape
        cos = self.rope_cos[positions].view(b, 1, t, -1)  # [B, 1, T, D/2]
        sin = self.rope_sin[positions].view(b, 1, t, -1)
        x = self.tokens(ids)
        for block in self.blocks:
            x = block(x, cos, sin, mask, cache)
        if cache is not None:
            cache.length += t
        x = self.norm(x)
        return F.linear(x, self.tokens.weight) if self.output is None else self.output(x)


class KvCache:
    """Keys and values of every layer, preallocated and written in place: [B, G, capacity, D]."""

    def __init__(self, c, batch, capacity):
        shape = (batch, c["kv_heads"], capacity, c["dimension"] // c["heads"])
        self.keys = [torch.zeros(shape) for _ in range(c["layers"])]
        self.values = [torch.zeros(shape) for _ in range(c["layers"])]
        self.length = 0

    def append(self, layer, k, v):
        t = k.shape[2]
        self.keys[layer][:, :, self.length:self.length + t] = k
        self.values[layer][:, :, self.length:self.length + t] = v
        end = self.length + t
        return self.keys[layer][:, :, :end], self.values[layer][:, :, :end]


def load_weights(model, directory):
    with open(os.path.join(directory, "index.json")) as f:
        index = json.load(f)
    with open(os.path.join(directory, "weights.bin"), "rb") as f:
        blob = bytearray(f.read())
    flat = torch.frombuffer(blob, dtype=torch.float32)
    state = {}
    for entry in index["tensors"]:
        count = math.prod(entry["shape"])
        start = entry["offset"] // 4
        state[entry["name"]] = flat[start:start + count].view(entry["shape"]).clone()
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"weights do not match the model: missing {missing}, unexpected {unexpected}")


# ---------------------------------------------------------------------------------------------
# The generation loop of src/Policy/Generation/BatchedSampler.cs: prompts of one length, prefill
# into a preallocated cache, then one token per step; temperature sampling; each step's tokens go
# to the host, where the stop check would run (the benchmark runs every row to max length, as the
# C# side does). Without the cache every step recomputes the whole prefix.

END_OF_STEP, END_OF_ANSWER = 2, 3


@torch.no_grad()
def generate(model, prompts, new_tokens, use_cache, temperature, generator):
    c = model.config
    batch, length = len(prompts), len(prompts[0])
    tokens = torch.tensor(prompts, dtype=torch.long)                        # [B, P]
    positions = torch.arange(length).expand(batch, length)                 # [B, P]
    cache = KvCache(c, batch, length + new_tokens) if use_cache else None
    logits = model(tokens, positions, None, cache)[:, -1]                   # [B, V]
    generated = []
    for step in range(new_tokens):
        log_probabilities = F.log_softmax(logits / temperature, -1)         # [B, V]
        chosen = torch.multinomial(log_probabilities.exp(), 1, generator=generator)  # [B, 1]
        chosen_log_probability = log_probabilities.gather(1, chosen)         # [B, 1]
        row_tokens = chosen.view(-1).tolist()                                # to the host, as the C# sampler's are
        generated.append((row_tokens, chosen_log_probability))
        # The stop check of a real run; here, as on the C# side, every row runs to the length limit.
        _ = [token in (END_OF_STEP, END_OF_ANSWER) for token in row_tokens]
        if step + 1 == new_tokens:
            break
        next_positions = torch.full((batch, 1), length + step, dtype=torch.long)
        if use_cache:
            logits = model(chosen, next_positions, None, cache)[:, -1]
        else:
            tokens = torch.cat((tokens, chosen), 1)
            positions = torch.cat((positions, next_positions), 1)
            logits = model(tokens, positions)[:, -1]
    return sum(len(g[0]) for g in generated)


# ---------------------------------------------------------------------------------------------
# One supervised fine-tuning step of src/Policy/Training/SupervisedFineTuning.cs: cross-entropy
# with ignored targets, AdamW (decay on matrices only), global gradient-norm clipping.


def optimizer_for(model, lr, weight_decay):
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    vectors = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW(
        [{"params": matrices, "weight_decay": weight_decay}, {"params": vectors, "weight_decay": 0.0}],
        lr=lr, betas=(0.9, 0.95), eps=1e-8)


def loss_of(model, ids, targets):
    b, t = ids.shape
    positions = torch.arange(t).expand(b, t)
    logits = model(ids, positions)
    return F.cross_entropy(logits.reshape(b * t, -1), targets.reshape(b * t), ignore_index=IGNORE)


def train_step(model, optimizer, ids, targets, clip):
    loss = loss_of(model, ids, targets)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    return loss.item()


# ---------------------------------------------------------------------------------------------


def status_bytes(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak():
    """Returns freed heap to the OS (as the C# side does), then resets VmHWM to the current resident set."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def blas_library():
    """The BLAS libraries mapped into this process (Debian picks one through update-alternatives)."""
    torch.mm(torch.ones(4, 4), torch.ones(4, 4))
    found = set()
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 6 and ("blas" in os.path.basename(fields[5]) or "mkl" in os.path.basename(fields[5])):
                found.add(os.path.realpath(fields[5]))
    return ", ".join(sorted(found)) or "none found"


def matmul_rates(sizes, seconds):
    rates = {}
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        for _ in range(2):
            torch.mm(a, b)
        per_repeat = []
        deadline = time.perf_counter() + seconds
        while len(per_repeat) < 3 or time.perf_counter() < deadline:
            start = time.perf_counter()
            reps = 0
            while reps < 2 or time.perf_counter() - start < 0.1:
                torch.mm(a, b)
                reps += 1
            per_repeat.append(2.0 * n ** 3 * reps / (time.perf_counter() - start) / 1e9)
        rates[str(n)] = per_repeat
    return rates


def load_hf(folder, dtype):
    """The reference's reader and model; the fp32 weights it reads are dropped once cast."""
    model, _ = reference.load_model(folder)
    batched = reference.BatchedModel(model, {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype])
    del model
    gc.collect()
    return batched


def greedy_hf(model, prompts, new_tokens, calls):
    """Per call: seconds to the first tokens on the host (prefill), and from there to the last (decode)."""
    prefill, decode, tokens = [], [], []
    for _ in range(calls):
        start = time.perf_counter()
        tokens, _, first, _ = reference.greedy_batch(model, prompts, new_tokens, clock=time.perf_counter)
        end = time.perf_counter()
        prefill.append(first - start)
        decode.append(end - first)
    return {"prefill_seconds": prefill, "decode_seconds": decode, "tokens": tokens}


def main():
    models = {}
    pretrained = None
    optimizers = {}
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        op = command["op"]
        if op == "hello":
            torch.set_num_threads(command.get("threads", 2))
            reply = {
                "torch": torch.__version__,
                "python": sys.version.split()[0],
                "threads": torch.get_num_threads(),
                "blas_library": blas_library(),
                "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
            }
        elif op == "matmul":
            reply = {"rates": matmul_rates(command["sizes"], command["seconds"])}
        elif op == "load":
            c = command["config"]
            model = Transformer(c)
            load_weights(model, command["dir"])
            model.eval()
            models[command["name"]] = model
            optimizers.pop(command["name"], None)
            reply = {"parameters": sum(p.numel() for p in model.parameters())}
        elif op == "generate":
            model = models[command["name"]]
            model.eval()
            generator = torch.Generator().manual_seed(command["seed"])
            seconds = []
            tokens = 0
            for _ in range(command["calls"]):
                start = time.perf_counter()
                tokens = generate(model, command["prompts"], command["new_tokens"], command["cache"], command["temperature"], generator)
                seconds.append(time.perf_counter() - start)
            reply = {"seconds": seconds, "tokens": tokens}
        elif op == "train":
            model = models[command["name"]]
            model.train()
            if command.get("fresh_optimizer", False) or command["name"] not in optimizers:
                optimizers[command["name"]] = optimizer_for(model, command["lr"], command["weight_decay"])
            optimizer = optimizers[command["name"]]
            ids = torch.tensor(command["ids"], dtype=torch.long)
            targets = torch.tensor(command["targets"], dtype=torch.long)
            seconds, losses = [], []
            for _ in range(command["steps"]):
                start = time.perf_counter()
                losses.append(train_step(model, optimizer, ids, targets, command["clip"]))
                seconds.append(time.perf_counter() - start)
            model.eval()
            reply = {"seconds": seconds, "losses": losses}
        elif op == "loss":
            model = models[command["name"]]
            with torch.no_grad():
                loss = loss_of(model, torch.tensor(command["ids"], dtype=torch.long), torch.tensor(command["targets"], dtype=torch.long))
            reply = {"loss": loss.item()}
        elif op == "memory":
            reply = {"peak": status_bytes("VmHWM"), "current": status_bytes("VmRSS")}
            if command.get("reset", False):
                reply["reset"] = reset_peak()
        elif op == "load_hf":
            pretrained = None
            gc.collect()
            start = time.perf_counter()
            pretrained = load_hf(command["folder"], command["dtype"])
            reply = {"parameters": sum(w.numel() for w in pretrained.w.values()), "seconds": time.perf_counter() - start}
        elif op == "greedy_hf":
            reply = greedy_hf(pretrained, command["prompts"], command["new_tokens"], command["calls"])
        elif op == "unload_hf":
            pretrained = None
            gc.collect()
            reply = {}
        elif op == "quit":
            break
        else:
            reply = {"error": f"unknown op {op}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the C# side reads the reason from the reply line
        sys.stdout.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\n")
        sys.stdout.flush()
        raise
