#!/usr/bin/env python3
"""Independent PyTorch reference for Hugging Face Llama / Qwen2 / Qwen3 checkpoints.

Written from the semantics of transformers' modeling_llama.py, modeling_qwen2.py and
modeling_qwen3.py (transformers is not imported): fp32 decoder, rotate_half rotary embeddings
(with Llama-3 rope scaling), grouped-query attention, Qwen2 q/k/v bias, Qwen3 per-head q/k
RMSNorm, tied or untied lm_head, and a concatenating KV cache. It also reads and writes
safetensors (F32, F16, BF16; single file or sharded with model.safetensors.index.json) itself.

Modes:
  generate DIR   write tiny random checkpoints and reference.json for every case under DIR/<case>/
  check DIR      recompute every case from the committed files and compare with reference.json
  selftest       internal consistency checks (naive fp64 forward, GQA vs expanded MHA, dtype
                 conversions, safetensors round trips, llama3 scaling, rotary relative positions)
"""

import os
import sys

try:
    import numpy as np
    import torch
except ImportError:  # e.g. a pyenv python3 first on PATH: Debian's torch lives under /usr/bin/python3
    if os.path.exists("/usr/bin/python3") and not os.environ.get("HF_REFERENCE_REEXEC"):
        os.environ["HF_REFERENCE_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3", os.path.abspath(__file__)] + sys.argv[1:])
    raise

import json
import math
import struct
import tempfile

torch.set_num_threads(2)

# ----------------------------------------------------------------------------------------------
# safetensors

ITEM_SIZE = {"F32": 4, "F16": 2, "BF16": 2}
TORCH_DTYPE_NAME = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


def f32_to_bf16_bits(a):
    """float32 array -> uint16 bf16 bit patterns, rounding to nearest, ties to even."""
    a = np.ascontiguousarray(a, dtype="<f4")
    assert np.isfinite(a).all()
    bits = a.view("<u4").astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return (rounded & 0xFFFF).astype("<u2")


def bf16_bits_to_f32(u16):
    return (np.asarray(u16, dtype="<u2").astype("<u4") << 16).view("<f4")


def encode(array, dtype):
    """float32 numpy array -> little-endian bytes in dtype."""
    array = np.ascontiguousarray(array, dtype="<f4")
    if dtype == "F32":
        return array.tobytes()
    if dtype == "F16":
        half = array.astype("<f2")
        assert np.isfinite(half).all()
        return half.tobytes()
    if dtype == "BF16":
        return f32_to_bf16_bits(array).tobytes()
    raise ValueError(dtype)


def decode(raw, dtype, shape):
    """little-endian bytes in dtype -> float32 numpy array."""
    if dtype == "F32":
        flat = np.frombuffer(raw, dtype="<f4")
    elif dtype == "F16":
        flat = np.frombuffer(raw, dtype="<f2").astype("<f4")
    elif dtype == "BF16":
        flat = bf16_bits_to_f32(np.frombuffer(raw, dtype="<u2"))
    else:
        raise ValueError(f"unsupported dtype {dtype}")
    return flat.reshape(shape).copy()


def as_stored(array, dtype):
    """The float32 values a reader gets back after storing array as dtype."""
    return decode(encode(array, dtype), dtype, np.shape(array))


def write_safetensors(path, tensors, dtype):
    """tensors: {name: float32 array}. Like the safetensors library: names sorted, header padded
    with spaces to a multiple of 8 bytes, "__metadata__" first, data laid out in header order."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        blob = encode(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(np.shape(tensors[name])),
                        "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    return offset


def read_safetensors(path):
    """{name: (float32 numpy array, stored dtype)}; validates offsets and sizes."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert 8 + n <= len(data), f"{path}: header length {n} beyond the file"
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = memoryview(data)[8 + n:]                   # a view: a 2 GB checkpoint is not copied once more
    out = {}
    spans = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        assert end - begin == math.prod(shape) * ITEM_SIZE[dtype], f"{path}: {name} size mismatch"
        assert 0 <= begin <= end <= len(body), f"{path}: {name} outside the data"
        spans.append((begin, end))
        out[name] = (decode(body[begin:end], dtype, shape), dtype)
    spans.sort()
    position = 0
    for begin, end in spans:
        assert begin == position, f"{path}: gap or overlap at byte {begin}"
        position = end
    assert position == len(body), f"{path}: {len(body) - position} trailing bytes"
    return out


def load_checkpoint(folder):
    """{name: float32 torch tensor}, {name: stored dtype} from model.safetensors or a sharded set."""
    index_path = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
        weight_map = index["weight_map"]
        tensors = {}
        for shard in sorted(set(weight_map.values())):
            for name, value in read_safetensors(os.path.join(folder, shard)).items():
                assert weight_map.get(name) == shard, f"{name} found in {shard}, index says {weight_map.get(name)}"
                tensors[name] = value
        missing = set(weight_map) - set(tensors)
        assert not missing, f"index names tensors that no shard holds: {sorted(missing)}"
        total = sum(a.size * ITEM_SIZE[d] for a, d in tensors.values())
        assert index["metadata"]["total_size"] == total, "index total_size mismatch"
    else:
        tensors = read_safetensors(os.path.join(folder, "model.safetensors"))
    return ({k: torch.from_numpy(a) for k, (a, _) in tensors.items()},
            {k: d for k, (_, d) in tensors.items()})


# ----------------------------------------------------------------------------------------------
# model (fp32, HF semantics)

class Config:
    def __init__(self, raw):
        self.raw = raw
        self.model_type = raw["model_type"]
        assert self.model_type in ("llama", "qwen2", "qwen3"), self.model_type
        assert raw.get("hidden_act", "silu") == "silu"
        self.vocab = raw["vocab_size"]
        self.hidden = raw["hidden_size"]
        self.intermediate = raw["intermediate_size"]
        self.layers = raw["num_hidden_layers"]
        self.heads = raw["num_attention_heads"]
        kv = raw.get("num_key_value_heads")
        self.kv_heads = self.heads if kv is None else kv          # old Llama configs omit it
        self.head_dim = raw.get("head_dim") or self.hidden // self.heads
        self.eps = float(raw["rms_norm_eps"])
        self.theta = float(raw.get("rope_theta", 10000.0))        # Llama-2 configs may omit it
        self.rope_scaling = raw.get("rope_scaling")
        self.tied = bool(raw.get("tie_word_embeddings", False))
        bias = bool(raw.get("attention_bias", False))
        # Qwen2: q/k/v always biased, o_proj never. Llama/Qwen3: q/k/v/o all follow attention_bias.
        self.qkv_bias = True if self.model_type == "qwen2" else bias
        self.o_bias = False if self.model_type == "qwen2" else bias
        self.mlp_bias = bool(raw.get("mlp_bias", False)) if self.model_type == "llama" else False
        self.qk_norm = self.model_type == "qwen3"
        assert self.heads % self.kv_heads == 0
        assert not (self.model_type == "qwen2" and raw.get("use_sliding_window")), "sliding window not implemented"


def rope_inv_freq(c):
    """inv_freq [head_dim/2] in fp32 as transformers computes it, and the llama3 regime per entry
    ("unchanged", "smoothed", "divided"; all "unchanged" without scaling)."""
    d = c.head_dim
    inv_freq = 1.0 / (c.theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    regimes = ["unchanged"] * len(inv_freq)
    rs = c.rope_scaling
    if rs:
        kind = rs.get("rope_type", rs.get("type"))
        if kind == "default":
            return inv_freq, regimes
        if kind != "llama3":
            raise NotImplementedError(f"rope_scaling type {kind}")
        factor = rs["factor"]
        low = rs["low_freq_factor"]
        high = rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_freq_wavelen = old / low
        high_freq_wavelen = old / high
        wavelen = 2 * math.pi / inv_freq
        scaled = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
        regimes = ["divided" if w > low_freq_wavelen else "unchanged" if w < high_freq_wavelen else "smoothed"
                   for w in wavelen.tolist()]
        inv_freq = torch.where(medium, smoothed, scaled)
    return inv_freq, regimes


def rms_norm(x, weight, eps):
    x = x.float()
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class KVCache:
    """Per layer: keys and values [kv_heads, length, head_dim], grown by concatenation."""

    def __init__(self, layers):
        self.k = [None] * layers
        self.v = [None] * layers

    @property
    def length(self):
        return 0 if self.k[0] is None else self.k[0].shape[1]

    def update(self, layer, k, v):
        if self.k[layer] is not None:
            k = torch.cat((self.k[layer], k), dim=1)
            v = torch.cat((self.v[layer], v), dim=1)
        self.k[layer], self.v[layer] = k, v
        return k, v


class Model:
    def __init__(self, config, weights):
        self.c = config
        self.w = weights
        self.inv_freq, self.regimes = rope_inv_freq(config)
        self.check_names()

    def expected_names(self):
        c = self.c
        names = ["model.embed_tokens.weight", "model.norm.weight"]
        if not c.tied:
            names.append("lm_head.weight")
        for i in range(c.layers):
            p = f"model.layers.{i}."
            names += [p + "input_layernorm.weight", p + "post_attention_layernorm.weight"]
            names += [p + f"self_attn.{x}_proj.weight" for x in "qkvo"]
            names += [p + f"mlp.{x}_proj.weight" for x in ("gate", "up", "down")]
            if c.qkv_bias:
                names += [p + f"self_attn.{x}_proj.bias" for x in "qkv"]
            if c.o_bias:
                names.append(p + "self_attn.o_proj.bias")
            if c.mlp_bias:
                names += [p + f"mlp.{x}_proj.bias" for x in ("gate", "up", "down")]
            if c.qk_norm:
                names += [p + "self_attn.q_norm.weight", p + "self_attn.k_norm.weight"]
        return names

    def check_names(self):
        expected = set(self.expected_names())
        present = set(self.w)
        assert expected == present, f"missing {sorted(expected - present)}, unexpected {sorted(present - expected)}"

    def linear(self, x, name):
        y = x @ self.w[name + ".weight"].t()
        bias = self.w.get(name + ".bias")
        return y if bias is None else y + bias

    def rotary(self, positions):
        freqs = positions.float()[:, None] * self.inv_freq[None, :]       # fp32, as transformers
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()                                       # [T, head_dim]

    def attention(self, i, x, cos, sin, cache, past):
        c = self.c
        p = f"model.layers.{i}.self_attn."
        t = x.shape[0]
        q = self.linear(x, p + "q_proj").view(t, c.heads, c.head_dim)
        k = self.linear(x, p + "k_proj").view(t, c.kv_heads, c.head_dim)
        v = self.linear(x, p + "v_proj").view(t, c.kv_heads, c.head_dim)
        if c.qk_norm:                                                     # Qwen3: per head, before rotary
            q = rms_norm(q, self.w[p + "q_norm.weight"], c.eps)
            k = rms_norm(k, self.w[p + "k_norm.weight"], c.eps)
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)  # [heads, T, D]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            k, v = cache.update(i, k, v)
        groups = c.heads // c.kv_heads                                    # repeat_kv: head h uses kv head h // groups
        k = k.repeat_interleave(groups, dim=0)
        v = v.repeat_interleave(groups, dim=0)
        scores = (q @ k.transpose(1, 2)) / math.sqrt(c.head_dim)         # [heads, T, L]
        allowed = torch.arange(k.shape[1])[None, :] <= (past + torch.arange(t))[:, None]
        scores = scores.masked_fill(~allowed, float("-inf"))
        probs = torch.softmax(scores.float(), dim=-1)
        out = (probs @ v).transpose(0, 1).reshape(t, c.heads * c.head_dim)
        return self.linear(out, p + "o_proj")

    def mlp(self, i, x):
        p = f"model.layers.{i}.mlp."
        return self.linear(torch.nn.functional.silu(self.linear(x, p + "gate_proj")) * self.linear(x, p + "up_proj"),
                           p + "down_proj")

    @torch.no_grad()
    def forward(self, ids, cache=None):
        """ids: 1-D list/tensor of token ids, placed after whatever the cache holds. -> logits [T, vocab] fp32."""
        c = self.c
        ids = torch.as_tensor(ids, dtype=torch.long)
        past = 0 if cache is None else cache.length
        cos, sin = self.rotary(past + torch.arange(len(ids)))
        x = self.w["model.embed_tokens.weight"][ids]
        for i in range(c.layers):
            p = f"model.layers.{i}."
            x = x + self.attention(i, rms_norm(x, self.w[p + "input_layernorm.weight"], c.eps), cos, sin, cache, past)
            x = x + self.mlp(i, rms_norm(x, self.w[p + "post_attention_layernorm.weight"], c.eps))
        x = rms_norm(x, self.w["model.norm.weight"], c.eps)
        head = self.w["model.embed_tokens.weight"] if c.tied else self.w["lm_head.weight"]
        return x @ head.t()


def load_model(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = Config(json.load(f))
    weights, dtypes = load_checkpoint(folder)
    return Model(config, weights), dtypes


# ----------------------------------------------------------------------------------------------
# batched greedy generation (the `bench policy --shape` peer): the same model over a batch of
# left-padded prompts with per-row positions, an attention mask and a preallocated KV cache,
# in fp32 or in bfloat16 as transformers runs a model loaded with torch_dtype=bfloat16

class StaticKVCache:
    """Per layer: keys and values [B, kv_heads, capacity, head_dim], preallocated and written in
    place (transformers' StaticCache); attention reads the filled prefix."""

    def __init__(self, c, batch, capacity, dtype):
        shape = (batch, c.kv_heads, capacity, c.head_dim)
        self.k = [torch.zeros(shape, dtype=dtype) for _ in range(c.layers)]
        self.v = [torch.zeros(shape, dtype=dtype) for _ in range(c.layers)]
        self.length = 0

    def update(self, layer, k, v):
        end = self.length + k.shape[2]
        self.k[layer][:, :, self.length:end] = k
        self.v[layer][:, :, self.length:end] = v
        return self.k[layer][:, :, :end], self.v[layer][:, :, :end]


class BatchedModel:
    """Model's decoder over a batch [B, T], as transformers' eager modeling code computes it:
    nn.Linear projections (F.linear), rotary from per-row positions, repeat_kv, an additive mask
    (0 or the dtype's lowest value) built once per forward pass, softmax in fp32, RMSNorm in fp32
    and cast back. Weights and activations are in `dtype` (weights cast from the fp32 ones read)."""

    def __init__(self, model, dtype=torch.float32):
        self.c = model.c
        self.dtype = dtype
        self.w = {k: v.to(dtype) for k, v in model.w.items()}
        self.inv_freq = model.inv_freq
        self.head = self.w["model.embed_tokens.weight"] if self.c.tied else self.w["lm_head.weight"]

    def norm(self, x, name):
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.c.eps)
        return self.w[name] * h.to(x.dtype)

    def linear(self, x, name):
        return torch.nn.functional.linear(x, self.w[name + ".weight"], self.w.get(name + ".bias"))

    def attention(self, i, x, cos, sin, bias, cache):
        c = self.c
        p = f"model.layers.{i}.self_attn."
        b, t, _ = x.shape
        q = self.linear(x, p + "q_proj").view(b, t, c.heads, c.head_dim).transpose(1, 2)      # [B, H, T, D]
        k = self.linear(x, p + "k_proj").view(b, t, c.kv_heads, c.head_dim).transpose(1, 2)   # [B, G, T, D]
        v = self.linear(x, p + "v_proj").view(b, t, c.kv_heads, c.head_dim).transpose(1, 2)   # [B, G, T, D]
        if c.qk_norm:
            q = self.norm(q, p + "q_norm.weight")
            k = self.norm(k, p + "k_norm.weight")
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            k, v = cache.update(i, k, v)                                                      # [B, G, L, D]
        groups = c.heads // c.kv_heads                                                        # repeat_kv
        if groups > 1:
            k = k[:, :, None].expand(b, c.kv_heads, groups, k.shape[2], c.head_dim).reshape(b, c.heads, k.shape[2], c.head_dim)
            v = v[:, :, None].expand(b, c.kv_heads, groups, v.shape[2], c.head_dim).reshape(b, c.heads, v.shape[2], c.head_dim)
        scores = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(c.head_dim)) + bias   # [B, H, T, L]
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, c.heads * c.head_dim)     # [B, T, H·D]
        return self.linear(out, p + "o_proj")

    def mlp(self, i, x):
        p = f"model.layers.{i}.mlp."
        return self.linear(torch.nn.functional.silu(self.linear(x, p + "gate_proj")) * self.linear(x, p + "up_proj"), p + "down_proj")

    @torch.no_grad()
    def forward(self, ids, positions, key_valid, cache=None, last_only=True):
        """ids, positions [B, T] (long); key_valid [B, L] (bool, L = cached + T: False for padding).
        -> logits [B, V] of the last position (last_only, as transformers' generate asks) or [B, T, V]."""
        b, t = ids.shape
        past = 0 if cache is None else cache.length
        length = past + t
        freqs = positions.float()[..., None] * self.inv_freq                                 # [B, T, D/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos().to(self.dtype)[:, None], emb.sin().to(self.dtype)[:, None]       # [B, 1, T, D]
        allowed = key_valid[:, None, None, :length]                                           # [B, 1, 1, L]
        if t > 1:
            causal = torch.arange(length)[None, :] <= (past + torch.arange(t))[:, None]       # [T, L]
            allowed = allowed & causal
        bias = torch.zeros(allowed.shape, dtype=self.dtype).masked_fill(~allowed, torch.finfo(self.dtype).min)
        x = torch.nn.functional.embedding(ids, self.w["model.embed_tokens.weight"])           # [B, T, C]
        for i in range(self.c.layers):
            p = f"model.layers.{i}."
            x = x + self.attention(i, self.norm(x, p + "input_layernorm.weight"), cos, sin, bias, cache)
            x = x + self.mlp(i, self.norm(x, p + "post_attention_layernorm.weight"))
        if cache is not None:
            cache.length += t
        if last_only:
            x = x[:, -1]
        return torch.nn.functional.linear(self.norm(x, "model.norm.weight"), self.head).float()


@torch.no_grad()
def greedy_batch(model, prompts, new_tokens, pad_id=0, clock=None, keep_logits=False):
    """Greedy decoding of every prompt for exactly new_tokens tokens (no stopping), as the C# sampler
    runs a benchmark: prompts left-padded to the longest, positions counted from each row's first
    token, one prefill pass into a preallocated cache, then one token per step; each step's
    log-softmax, argmax and the chosen tokens' log-probabilities, tokens to the host.
    -> (tokens [B][new_tokens], log-probabilities, clock() when the first tokens were on the host,
    per-step logits [B, V] if keep_logits)."""
    batch, longest = len(prompts), max(len(p) for p in prompts)
    pads = [longest - len(p) for p in prompts]
    ids = torch.tensor([[pad_id] * pad + list(p) for pad, p in zip(pads, prompts)], dtype=torch.long)      # [B, T]
    positions = torch.tensor([[max(0, j - pad) for j in range(longest)] for pad in pads], dtype=torch.long)  # [B, T]
    key_valid = torch.tensor([[j >= pad for j in range(longest + new_tokens)] for pad in pads])              # [B, T + N]
    cache = StaticKVCache(model.c, batch, longest + new_tokens, model.dtype)
    logits = model.forward(ids, positions, key_valid, cache)                                                 # [B, V]
    tokens, log_probabilities, kept, first = [], [], [], None
    for step in range(new_tokens):
        log_p = torch.log_softmax(logits, dim=-1)                                                           # [B, V]
        best, chosen = log_p.max(dim=-1)                                                                    # [B]
        tokens.append(chosen.tolist())
        log_probabilities.append(best.tolist())
        if keep_logits:
            kept.append(logits)
        if first is None and clock is not None:
            first = clock()
        if step + 1 == new_tokens:
            break
        next_positions = torch.tensor([[len(p) + step] for p in prompts], dtype=torch.long)                 # [B, 1]
        logits = model.forward(chosen[:, None], next_positions, key_valid, cache)
    by_row = [[step[r] for step in tokens] for r in range(batch)]
    by_row_lp = [[step[r] for step in log_probabilities] for r in range(batch)]
    return by_row, by_row_lp, first, kept


# ----------------------------------------------------------------------------------------------
# fixtures

VOCAB, HIDDEN, INTERMEDIATE, LAYERS, MAX_POS = 96, 32, 64, 2, 128
PROMPT_LENGTHS = (7, 3, 12)
GREEDY_STEPS = 8
MIN_MARGIN = 1e-2      # asked: > 1e-3; the seed search asks for ten times that
CACHE_TOLERANCE = 1e-5
CHECK_TOLERANCE = 1e-5


def llama2_config():
    return {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": HIDDEN,
        "initializer_range": 0.02, "intermediate_size": INTERMEDIATE, "max_position_embeddings": MAX_POS,
        "mlp_bias": False, "model_type": "llama", "num_attention_heads": 4, "num_hidden_layers": LAYERS,
        "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None,
        "rope_theta": 10000.0, "tie_word_embeddings": False, "torch_dtype": "float32",
        "transformers_version": "4.46.0", "use_cache": True, "vocab_size": VOCAB,
    }


def llama3_config():
    return {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 90, "eos_token_id": 91, "head_dim": 8, "hidden_act": "silu", "hidden_size": HIDDEN,
        "initializer_range": 0.02, "intermediate_size": INTERMEDIATE, "max_position_embeddings": MAX_POS,
        "mlp_bias": False, "model_type": "llama", "num_attention_heads": 4, "num_hidden_layers": LAYERS,
        "num_key_value_heads": 2, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
        "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "rope_theta": 500000.0, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
        "transformers_version": "4.46.0", "use_cache": True, "vocab_size": VOCAB,
    }


def qwen2_config():
    return {
        "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 90, "eos_token_id": 90,
        "hidden_act": "silu", "hidden_size": HIDDEN, "initializer_range": 0.02, "intermediate_size": INTERMEDIATE,
        "max_position_embeddings": MAX_POS, "max_window_layers": LAYERS, "model_type": "qwen2",
        "num_attention_heads": 4, "num_hidden_layers": LAYERS, "num_key_value_heads": 2, "rms_norm_eps": 1e-06,
        "rope_scaling": None, "rope_theta": 1000000.0, "sliding_window": MAX_POS, "tie_word_embeddings": True,
        "torch_dtype": "float16", "transformers_version": "4.46.0", "use_cache": True,
        "use_sliding_window": False, "vocab_size": VOCAB,
    }


def qwen3_config():
    return {
        "architectures": ["Qwen3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 90, "eos_token_id": 91, "head_dim": 16, "hidden_act": "silu", "hidden_size": HIDDEN,
        "initializer_range": 0.02, "intermediate_size": INTERMEDIATE, "max_position_embeddings": MAX_POS,
        "max_window_layers": LAYERS, "model_type": "qwen3", "num_attention_heads": 4,
        "num_hidden_layers": LAYERS, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_scaling": None,
        "rope_theta": 1000000, "sliding_window": None, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
        "transformers_version": "4.51.0", "use_cache": True, "use_sliding_window": False, "vocab_size": VOCAB,
    }


# name -> (config, stored dtype, shards, generation_config, first seed to try)
CASES = {
    "llama2": (llama2_config, "F32", 1,
               {"bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0, "transformers_version": "4.46.0"}, 1000),
    "llama3": (llama3_config, "BF16", 2,
               {"bos_token_id": 90, "eos_token_id": [91, 94, 95], "transformers_version": "4.46.0"}, 2000),
    "qwen2": (qwen2_config, "F16", 1,
              {"bos_token_id": 90, "eos_token_id": 90, "max_new_tokens": 2048, "transformers_version": "4.46.0"}, 3000),
    "qwen3": (qwen3_config, "BF16", 1,
              {"bos_token_id": 90, "eos_token_id": [91, 90], "pad_token_id": 90, "transformers_version": "4.51.0"},
              4000),
}


def eos_ids(generation_config, config):
    ids = set()
    for source in (generation_config, config):
        e = source.get("eos_token_id")
        ids.update(e if isinstance(e, list) else [] if e is None else [e])
    return ids


def random_weights(config, seed):
    """float32 tensors in HF names and shapes; linears [out, in]."""
    c = Config(config)
    g = torch.Generator().manual_seed(seed)
    w = {}

    def normal(name, *shape, std):
        w[name] = torch.randn(*shape, generator=g) * std

    def norm(name, n):
        w[name] = 1.0 + 0.1 * torch.randn(n, generator=g)

    normal("model.embed_tokens.weight", c.vocab, c.hidden, std=0.2)
    q, kv = c.heads * c.head_dim, c.kv_heads * c.head_dim
    for i in range(c.layers):
        p = f"model.layers.{i}."
        norm(p + "input_layernorm.weight", c.hidden)
        for x, out in (("q", q), ("k", kv), ("v", kv)):
            normal(p + f"self_attn.{x}_proj.weight", out, c.hidden, std=0.2)
            if c.qkv_bias:
                normal(p + f"self_attn.{x}_proj.bias", out, std=0.1)
        normal(p + "self_attn.o_proj.weight", c.hidden, q, std=0.2)
        if c.o_bias:
            normal(p + "self_attn.o_proj.bias", c.hidden, std=0.1)
        if c.qk_norm:
            norm(p + "self_attn.q_norm.weight", c.head_dim)
            norm(p + "self_attn.k_norm.weight", c.head_dim)
        norm(p + "post_attention_layernorm.weight", c.hidden)
        normal(p + "mlp.gate_proj.weight", c.intermediate, c.hidden, std=0.2)
        normal(p + "mlp.up_proj.weight", c.intermediate, c.hidden, std=0.2)
        normal(p + "mlp.down_proj.weight", c.hidden, c.intermediate, std=0.2)
        if c.mlp_bias:
            for x, out in (("gate", c.intermediate), ("up", c.intermediate), ("down", c.hidden)):
                normal(p + f"mlp.{x}_proj.bias", out, std=0.1)
    norm("model.norm.weight", c.hidden)
    if not c.tied:
        normal("lm_head.weight", c.vocab, c.hidden, std=0.2)
    return w


def random_prompts(seed, vocab):
    g = torch.Generator().manual_seed(seed + 7919)
    return [torch.randint(0, vocab, (n,), generator=g).tolist() for n in PROMPT_LENGTHS]


def run_prompts(model, prompts):
    """Full-pass logits, cached logits, greedy continuations and their smallest top-2 gaps."""
    out = {"prompts": prompts, "prefill_lengths": [], "logits": [], "cached_logits": [], "greedy": [],
           "greedy_margin": []}
    for prompt in prompts:
        full = model.forward(prompt)
        cache = KVCache(model.c.layers)
        split = math.ceil(len(prompt) / 2)
        rows = [model.forward(prompt[:split], cache)]
        for token in prompt[split:]:
            rows.append(model.forward([token], cache))
        cached = torch.cat(rows)
        difference = (cached - full).abs().max().item()
        assert difference <= CACHE_TOLERANCE, f"cached path differs from full pass by {difference}"
        last = cached[-1]
        greedy, margin = [], float("inf")
        for step in range(GREEDY_STEPS):
            top = torch.topk(last, 2).values
            margin = min(margin, (top[0] - top[1]).item())
            token = int(torch.argmax(last))
            greedy.append(token)
            if step + 1 < GREEDY_STEPS:
                last = model.forward([token], cache)[-1]
        out["prefill_lengths"].append(split)
        out["logits"].append(full)
        out["cached_logits"].append(cached)
        out["greedy"].append(greedy)
        out["greedy_margin"].append(margin)
    return out


def f32(x):
    """Shortest decimal that reads back as the same float32."""
    x = np.float32(x)
    assert np.isfinite(x)
    return str(x)


def reference_json(case, seed, result):
    def rows(matrix):
        return "[\n" + ",\n".join("    [" + ",".join(f32(v) for v in row) + "]" for row in matrix.tolist()) + "\n   ]"

    def per_prompt(key):
        return "[\n   " + ",\n   ".join(rows(m) for m in result[key]) + "\n  ]"

    parts = [
        f' "case": {json.dumps(case)}',
        f' "seed": {seed}',
        f' "prompts": {json.dumps(result["prompts"])}',
        f' "prefill_lengths": {json.dumps(result["prefill_lengths"])}',
        f' "logits": {per_prompt("logits")}',
        f' "cached_logits": {per_prompt("cached_logits")}',
        f' "greedy": {json.dumps(result["greedy"])}',
        f' "greedy_margin": [{",".join(f32(m) for m in result["greedy_margin"])}]',
    ]
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write_case(folder, config, dtype, shards, generation_config, weights):
    os.makedirs(folder, exist_ok=True)
    for stale in os.listdir(folder):
        if stale.endswith(".safetensors") or stale == "model.safetensors.index.json":
            os.remove(os.path.join(folder, stale))
    with open(os.path.join(folder, "config.json"), "w") as f:
        f.write(json.dumps(config, indent=2, sort_keys=True) + "\n")
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        f.write(json.dumps(generation_config, indent=2, sort_keys=True) + "\n")
    arrays = {k: v.numpy() for k, v in weights.items()}
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), arrays, dtype)
        return
    # Shard by layer like transformers' save_pretrained: first half of the layers (and the embedding)
    # in the first file, the rest (and the final norm / lm_head) in the last.
    layers = Config(config).layers

    def shard_of(name):
        if name.startswith("model.layers."):
            return int(name.split(".")[2]) * shards // layers
        return 0 if name == "model.embed_tokens.weight" else shards - 1

    weight_map, total = {}, 0
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {k: v for k, v in arrays.items() if shard_of(k) == s}
        total += write_safetensors(os.path.join(folder, file), part, dtype)
        weight_map.update({k: file for k in part})
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        f.write(json.dumps(index, indent=2) + "\n")


def search_seed(case):
    """First seed whose greedy paths have every top-2 gap >= MIN_MARGIN and never emit an eos id."""
    make_config, dtype, _, generation_config, first = CASES[case]
    config = make_config()
    stop = eos_ids(generation_config, config)
    for seed in range(first, first + 500):
        weights = {k: torch.from_numpy(as_stored(v.numpy(), dtype)) for k, v in random_weights(config, seed).items()}
        result = run_prompts(Model(Config(config), weights), random_prompts(seed, config["vocab_size"]))
        if min(result["greedy_margin"]) >= MIN_MARGIN and not stop & {t for g in result["greedy"] for t in g}:
            return seed
    raise RuntimeError(f"{case}: no seed in {first}..{first + 499} meets the margin")


def describe(case, model, dtypes, result):
    c = model.c
    print(f"{case}: {c.model_type} hidden {c.hidden} heads {c.heads}/{c.kv_heads} head_dim {c.head_dim} "
          f"intermediate {c.intermediate} layers {c.layers} vocab {c.vocab} tied {c.tied} "
          f"dtype {sorted(set(dtypes.values()))} qkv_bias {c.qkv_bias} qk_norm {c.qk_norm}")
    if c.rope_scaling:
        print(f"  llama3 rope regimes per frequency: {model.regimes}; inv_freq {model.inv_freq.tolist()}")
    print(f"  greedy {result['greedy']} margins {[round(m, 4) for m in result['greedy_margin']]}")


def generate(root):
    for case, (make_config, dtype, shards, generation_config, _) in CASES.items():
        seed = search_seed(case)
        config = make_config()
        folder = os.path.join(root, case)
        write_case(folder, config, dtype, shards, generation_config, random_weights(config, seed))
        model, dtypes = load_model(folder)                      # the reference uses the weights as stored
        assert set(dtypes.values()) == {dtype}
        if case == "llama3":
            assert {"unchanged", "smoothed", "divided"} <= set(model.regimes), model.regimes
        result = run_prompts(model, random_prompts(seed, config["vocab_size"]))
        assert min(result["greedy_margin"]) >= MIN_MARGIN
        text = reference_json(case, seed, result)
        parsed = json.loads(text)
        for key in ("logits", "cached_logits"):              # the decimal text reads back bit-exact
            for written, exact in zip(parsed[key], result[key]):
                assert np.array_equal(np.array(written, dtype=np.float32), exact.numpy())
        with open(os.path.join(folder, "reference.json"), "w") as f:
            f.write(text)
        describe(case, model, dtypes, result)
        size = sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))
        print(f"  seed {seed}, {size} bytes in {folder}")


def check(root):
    failures = []
    for case, (make_config, dtype, shards, generation_config, _) in CASES.items():
        folder = os.path.join(root, case)
        with open(os.path.join(folder, "reference.json")) as f:
            expected = json.load(f)
        seed = expected["seed"]
        # The committed files are exactly what generate writes for this seed.
        with tempfile.TemporaryDirectory() as scratch:
            config = make_config()
            write_case(scratch, config, dtype, shards, generation_config, random_weights(config, seed))
            for name in sorted(os.listdir(scratch)):
                with open(os.path.join(scratch, name), "rb") as a, open(os.path.join(folder, name), "rb") as b:
                    if a.read() != b.read():
                        failures.append(f"{case}: {name} differs from what seed {seed} generates")
        model, dtypes = load_model(folder)
        if set(dtypes.values()) != {dtype}:
            failures.append(f"{case}: stored dtypes {set(dtypes.values())}, expected {dtype}")
        result = run_prompts(model, expected["prompts"])
        for key in ("logits", "cached_logits"):
            for p, (got, want) in enumerate(zip(result[key], expected[key])):
                worst = (got - torch.tensor(want)).abs().max().item()
                if worst > CHECK_TOLERANCE:
                    failures.append(f"{case}: {key} of prompt {p} differ by {worst}")
        if result["greedy"] != expected["greedy"]:
            failures.append(f"{case}: greedy {result['greedy']} != {expected['greedy']}")
        if result["prefill_lengths"] != expected["prefill_lengths"]:
            failures.append(f"{case}: prefill lengths {result['prefill_lengths']} != {expected['prefill_lengths']}")
        for got, want in zip(result["greedy_margin"], expected["greedy_margin"]):
            if abs(got - want) > CHECK_TOLERANCE:
                failures.append(f"{case}: greedy margin {got} != {want}")
        describe(case, model, dtypes, result)
    for failure in failures:
        print("FAIL", failure)
    print("check:", "FAILED" if failures else "all cases reproduce")
    return 1 if failures else 0


# ----------------------------------------------------------------------------------------------
# self tests (independent formulations)

def naive_forward(config, weights, ids):
    """Token-by-token, head-by-head fp64 forward with complex-number rotary and no repeat_kv."""
    c = config
    w = {k: v.double() for k, v in weights.items()}
    d, half = c.head_dim, c.head_dim // 2
    inv = [1.0 / c.theta ** (2 * j / d) for j in range(half)]
    if c.rope_scaling:
        rs = c.rope_scaling
        old, factor = rs["original_max_position_embeddings"], rs["factor"]
        lo, hi = rs["low_freq_factor"], rs["high_freq_factor"]
        scaled = []
        for f in inv:
            wavelen = 2 * math.pi / f
            if wavelen < old / hi:
                scaled.append(f)
            elif wavelen > old / lo:
                scaled.append(f / factor)
            else:
                s = (old / wavelen - lo) / (hi - lo)
                scaled.append((1 - s) * f / factor + s * f)
        inv = scaled

    def norm(x, weight):
        return weight * x / math.sqrt((x * x).mean().item() + c.eps)

    def lin(x, name):
        y = w[name + ".weight"] @ x
        return y + w[name + ".bias"] if name + ".bias" in w else y

    def rope(x, pos):   # pairs (j, j + d/2) as complex numbers, rotated by pos * inv[j]
        z = torch.complex(x[:half], x[half:]) * torch.exp(1j * pos * torch.tensor(inv, dtype=torch.float64))
        return torch.cat((z.real, z.imag))

    n = len(ids)
    xs = [w["model.embed_tokens.weight"][t].clone() for t in ids]
    for i in range(c.layers):
        p = f"model.layers.{i}."
        keys, values, queries = [], [], []
        for pos in range(n):
            h = norm(xs[pos], w[p + "input_layernorm.weight"])
            q = lin(h, p + "self_attn.q_proj").view(c.heads, d)
            k = lin(h, p + "self_attn.k_proj").view(c.kv_heads, d)
            v = lin(h, p + "self_attn.v_proj").view(c.kv_heads, d)
            if c.qk_norm:
                q = torch.stack([norm(q[j], w[p + "self_attn.q_norm.weight"]) for j in range(c.heads)])
                k = torch.stack([norm(k[j], w[p + "self_attn.k_norm.weight"]) for j in range(c.kv_heads)])
            queries.append([rope(q[j], pos) for j in range(c.heads)])
            keys.append([rope(k[j], pos) for j in range(c.kv_heads)])
            values.append(v)
        for pos in range(n):
            heads = []
            for j in range(c.heads):
                g = j * c.kv_heads // c.heads
                s = torch.tensor([float(queries[pos][j] @ keys[m][g]) / math.sqrt(d) for m in range(pos + 1)],
                                 dtype=torch.float64)
                a = torch.exp(s - s.max())
                a = a / a.sum()
                heads.append(sum(a[m] * values[m][g] for m in range(pos + 1)))
            xs[pos] = xs[pos] + lin(torch.cat(heads), p + "self_attn.o_proj")
        for pos in range(n):
            h = norm(xs[pos], w[p + "post_attention_layernorm.weight"])
            gate = lin(h, p + "mlp.gate_proj")
            xs[pos] = xs[pos] + lin(gate / (1 + torch.exp(-gate)) * lin(h, p + "mlp.up_proj"), p + "mlp.down_proj")
    head = w["model.embed_tokens.weight"] if c.tied else w["lm_head.weight"]
    return torch.stack([head @ norm(x, w["model.norm.weight"]) for x in xs])


def expand_to_mha(config_raw, weights):
    """The same model with every kv head duplicated for its query heads: num_key_value_heads = heads."""
    c = Config(config_raw)
    groups = c.heads // c.kv_heads
    raw = dict(config_raw, num_key_value_heads=c.heads)
    w = dict(weights)
    for name, value in weights.items():
        if ".self_attn.k_proj." in name or ".self_attn.v_proj." in name:
            w[name] = value.view(c.kv_heads, c.head_dim, *value.shape[1:]).repeat_interleave(groups, dim=0) \
                .reshape(c.heads * c.head_dim, *value.shape[1:])
    return raw, w


def selftest():
    ok = True

    def report(label, value, limit):
        nonlocal ok
        passed = value <= limit
        ok &= passed
        print(f"{'ok  ' if passed else 'FAIL'} {label}: {value:.3g} (limit {limit:g})")

    g = torch.Generator().manual_seed(0)
    x = torch.randn(100000, generator=g) * torch.exp(torch.randn(100000, generator=g) * 5)
    ties = torch.tensor([1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, -1.0 - 2 ** -8, 65504.0, 6e-5, 3e-8, 0.0, -0.0])
    x = torch.cat((x.clamp(-6e4, 6e4), ties))
    bf = torch.from_numpy(as_stored(x.numpy(), "BF16"))
    report("BF16 round-to-nearest-even vs torch .bfloat16()", (bf != x.bfloat16().float()).sum().item(), 0)
    hf = torch.from_numpy(as_stored(x.numpy(), "F16"))
    report("F16 conversion vs torch .half()", (hf != x.half().float()).sum().item(), 0)

    with tempfile.TemporaryDirectory() as scratch:
        for name, (make_config, dtype, shards, generation_config, first) in CASES.items():
            raw = make_config()
            weights = random_weights(raw, first)
            write_case(scratch, raw, dtype, shards, generation_config, weights)
            model, dtypes = load_model(scratch)
            stored = {k: torch.from_numpy(as_stored(v.numpy(), dtype)) for k, v in weights.items()}
            report(f"{name}: safetensors round trip ({dtype}, {shards} file(s))",
                   max((model.w[k] != stored[k]).sum().item() for k in stored), 0)
            c = model.c
            ids = random_prompts(first, c.vocab)[2]
            fast = model.forward(ids)
            slow = naive_forward(c, model.w, ids)
            report(f"{name}: batched fp32 vs naive fp64 forward, max |logit diff|", (fast.double() - slow).abs().max().item(), 1e-4)
            cache = KVCache(c.layers)
            step = torch.cat([model.forward([t], cache) for t in ids])
            report(f"{name}: one-token-at-a-time cache vs full pass", (step - fast).abs().max().item(), 1e-5)
            rows, _, _, kept = greedy_batch(BatchedModel(model), random_prompts(first, c.vocab), 4, keep_logits=True)
            worst = max((kept[s][r] - model.forward(list(p) + rows[r][:s])[-1]).abs().max().item()
                        for r, p in enumerate(random_prompts(first, c.vocab)) for s in range(4))
            report(f"{name}: batched, left-padded, cached greedy vs each prompt's full pass, max |logit diff|", worst, 1e-4)
            if c.kv_heads != c.heads:
                raw_mha, w_mha = expand_to_mha(raw, model.w)
                mha = Model(Config(raw_mha), w_mha)
                report(f"{name}: GQA vs kv heads duplicated into MHA", (mha.forward(ids) - fast).abs().max().item(), 1e-5)
            if c.rope_scaling:
                print(f"     {name}: llama3 regimes {model.regimes}")
                ok &= {"unchanged", "smoothed", "divided"} <= set(model.regimes)

    # rotary: q(m).k(n) depends on m - n only
    cfg = Config(llama2_config())
    m = Model.__new__(Model)
    m.c, (m.inv_freq, m.regimes) = cfg, rope_inv_freq(cfg)
    q, k = torch.randn(cfg.head_dim, generator=g), torch.randn(cfg.head_dim, generator=g)

    def rot(v, pos):
        cos, sin = m.rotary(torch.tensor([pos]))
        return v * cos[0] + rotate_half(v) * sin[0]

    dots = [float(rot(q, a + 5) @ rot(k, a)) for a in range(0, 100, 7)]
    report("rotary: q(m).k(n) depends on m-n only, spread", max(dots) - min(dots), 1e-4)
    print("selftest:", "passed" if ok else "FAILED")
    return 0 if ok else 1


def main(argv):
    if len(argv) == 2 and argv[0] == "generate":
        generate(argv[1])
        return 0
    if len(argv) == 2 and argv[0] == "check":
        return check(argv[1])
    if argv == ["selftest"]:
        return selftest()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
