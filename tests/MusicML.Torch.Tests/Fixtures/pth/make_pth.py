"""Writes the .pth fixtures of PthCheckpointTests and the CLI's `models import` tests (provenance; tests never run Python).

Run with Debian's python3-torch 1.13.1 (the torch that writes protocol-2 zip checkpoints by default):

    apt-get install -y --no-install-recommends python3-torch
    /usr/bin/python3 tests/MusicML.Torch.Tests/Fixtures/pth/make_pth.py

Real torch.save output:
  generic.pth            every dtype the reader converts, a transposed view, a slice with a storage offset, two
                         tensors sharing one storage, a 0-d scalar and an empty tensor
  checkpoint.pth         a training dict around a state_dict, with every scalar kind (int, big int, float, bool,
                         None, str, bytes, list, tuple)
  legacy.pth             the pre-1.6 format (_use_new_zipfile_serialization=False)
  tiny_musicnn.pth       a Musicnn (Won et al. 2020, training/model.py) with the original tensor names at toy width
                         (16 mel bands, 2 channels per branch, 3 tags), including the torchaudio front-end buffers
                         spec.spectrogram.window and spec.mel_scale.fb that the published checkpoints carry
  tiny_musicnn_half.pth  the same in float16 under nn.DataParallel's "module." prefix
  tiny_musicnn_broken.pth  the same with layer3 missing, an extra tensor, dense1.weight mis-shaped and dense2.weight int32
  tiny_musicnn.json      the MusicML model configuration of that network
Hand-built pickles (never unpickled here, only disassembled): each would run a command if loaded by pickle.load.
  evil_os_system.pth     GLOBAL os.system + REDUCE 'touch /tmp/musicml-pwned-os'
  evil_eval.pth          protocol 4, STACK_GLOBAL builtins.eval + REDUCE opening /tmp/musicml-pwned-eval
  evil_posix.pth         a dict whose one value is posix.system('touch /tmp/musicml-pwned-posix')
  evil_legacy.pth        the legacy format's header pickles followed by os.system('touch /tmp/musicml-pwned-legacy')

Weights are k/64 for integers |k| <= 128, exact in float16 and bfloat16, so the tests recompute them (Values below).
"""
import collections
import io
import json
import os
import pickletools
import struct
import zipfile

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


def values(shape, seed):
    """k/64 with k = (37 i + 11 seed) mod 257 - 128: deterministic, exact in every float dtype (PthCheckpointTests.Values)."""
    n = 1
    for s in shape:
        n *= s
    k = (torch.arange(n, dtype=torch.int64) * 37 + seed * 11) % 257 - 128
    return (k.to(torch.float32) / 64).reshape(shape)


def save(obj, name, **kwargs):
    path = os.path.join(HERE, name)
    torch.save(obj, path, **kwargs)
    print(f"{name}: {os.path.getsize(path)} bytes")


# --- generic.pth ------------------------------------------------------------------------------------------------
shared = values((3, 2), 9)
generic = collections.OrderedDict()
generic["f32"] = values((2, 3), 1)
generic["f16"] = values((4,), 2).half()
generic["bf16"] = values((3,), 3).bfloat16()
generic["f64"] = values((2, 2), 4).double()
generic["i64"] = torch.arange(5, dtype=torch.int64) - 2
generic["i32"] = torch.tensor([7, -8, 9], dtype=torch.int32)
generic["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
generic["flags"] = torch.tensor([True, False, True])
generic["scalar"] = torch.tensor(42, dtype=torch.int64)
generic["transposed"] = values((2, 3), 5).t()  # size (3, 2), stride (1, 3): saved as the view of the whole storage
generic["sliced"] = values((10,), 6)[4:7]  # storage offset 4 into a 10-element storage
generic["shared_whole"] = shared
generic["shared_row"] = shared[1]  # same storage, offset 2
generic["empty"] = torch.zeros(0, 3)
assert not generic["transposed"].is_contiguous()
save(generic, "generic.pth")

# --- checkpoint.pth: a training dict around the state_dict ----------------------------------------------------------
save({
    "epoch": 3, "neg": -5, "big": 2 ** 70, "lr": 0.001, "best": True, "note": None, "name": "tiny",
    "blob": b"\x00\xffab", "steps": [1, 2, 3], "betas": (0.9, 0.999),
    "state_dict": collections.OrderedDict([("w", values((2,), 7))]),
}, "checkpoint.pth")

# --- legacy.pth -------------------------------------------------------------------------------------------------
save(collections.OrderedDict([("w", values((2, 3), 8)), ("n", torch.tensor(3))]), "legacy.pth",
     _use_new_zipfile_serialization=False)


# --- tiny Musicnn with the original state_dict names ---------------------------------------------------------------
class Buffers(nn.Module):
    def __init__(self, **buffers):
        super().__init__()
        for name, value in buffers.items():
            self.register_buffer(name, value)


class ConvBn(nn.Module):
    def __init__(self, conv, bn):
        super().__init__()
        self.conv = conv
        self.bn = bn


N_MELS, VERTICAL, HORIZONTAL, BACKEND, DENSE, TAGS = 16, 2, 2, 2, 2, 3


class TinyMusicnn(nn.Module):
    """training/model.py Musicnn's module names and shapes (front end: 2 vertical + 3 horizontal branches)."""

    def __init__(self):
        super().__init__()
        self.spec = nn.Module()
        self.spec.spectrogram = Buffers(window=torch.hann_window(8))
        self.spec.mel_scale = Buffers(fb=torch.zeros(5, N_MELS))
        self.spec_bn = nn.BatchNorm2d(1)
        tall, short = int(0.7 * N_MELS), int(0.4 * N_MELS)
        self.layers = nn.ModuleList(
            [ConvBn(nn.Conv2d(1, VERTICAL, (k, 7), padding=(0, 3)), nn.BatchNorm2d(VERTICAL)) for k in (tall, short)]
            + [ConvBn(nn.Conv1d(1, HORIZONTAL, k, padding=k // 2), nn.BatchNorm1d(HORIZONTAL)) for k in (129, 65, 33)])
        front = 2 * VERTICAL + 3 * HORIZONTAL
        self.layer1 = ConvBn(nn.Conv1d(front, BACKEND, 7, padding=3), nn.BatchNorm1d(BACKEND))
        self.layer2 = ConvBn(nn.Conv1d(BACKEND, BACKEND, 7, padding=3), nn.BatchNorm1d(BACKEND))
        self.layer3 = ConvBn(nn.Conv1d(BACKEND, BACKEND, 7, padding=3), nn.BatchNorm1d(BACKEND))
        self.dense1 = nn.Linear(2 * (front + 3 * BACKEND), DENSE)
        self.bn = nn.BatchNorm1d(DENSE)
        self.dense2 = nn.Linear(DENSE, TAGS)
        self.dropout = nn.Dropout(0.5)


model = TinyMusicnn()
with torch.no_grad():
    for i, (name, t) in enumerate(model.state_dict().items()):
        if name.endswith("num_batches_tracked"):
            t.fill_(i)
        elif name.endswith("running_var"):
            t.copy_(values(t.shape, i).abs() + 0.5)
        elif not name.startswith("spec."):
            t.copy_(values(t.shape, i))
state = model.state_dict()
save(state, "tiny_musicnn.pth")
save(nn.DataParallel(model).half().state_dict(), "tiny_musicnn_half.pth")
model.float()

broken = collections.OrderedDict((k, v) for k, v in state.items() if not k.startswith("layer3."))
broken["extra.weight"] = values((2,), 1)
broken["dense1.weight"] = values((DENSE, 31), 2)
broken["dense2.weight"] = state["dense2.weight"].to(torch.int32)
save(broken, "tiny_musicnn_broken.pth")

config = {
    "name": "tiny_musicnn",
    "arch": "musicnn",
    "description": "toy-width Musicnn with the original tensor names (test fixture, not a trained model)",
    "files": {"weights": "tiny_musicnn.safetensors", "weights_sha256": "0" * 64, "frontend": "none.safetensors"},
    "n_class": TAGS,
    "tags": ["a", "b", "c"],
    "preprocessing": {"sample_rate": 16000, "stft": {"n_fft": 512, "win_length": 512, "hop_length": 256},
                      "mel": {"n_mels": N_MELS, "f_min": 0, "f_max": 8000}, "db": {"amin": 1e-10}},
    "inference": {"input_length_samples": 4096, "eval_protocol": {"n_chunks": 2}},
    "architecture": {"modules": [
        {"name": "layers.0.conv", "out_channels": VERTICAL}, {"name": "layers.2.conv", "out_channels": HORIZONTAL},
        {"name": "layer1.conv", "out_channels": BACKEND}, {"name": "dense1", "out_features": DENSE}]},
    "tensors": [{"name": k, "dtype": "I64" if v.dtype == torch.int64 else "F32", "shape": list(v.shape)}
                for k, v in state.items() if not k.startswith("spec.")],
}
with open(os.path.join(HERE, "tiny_musicnn.json"), "w") as f:
    json.dump(config, f, indent=1)
    f.write("\n")


# --- hand-built malicious pickles --------------------------------------------------------------------------------
def zip_checkpoint(name, pickle_bytes):
    """The zip layout torch.save writes, around a given data.pkl."""
    pickletools.dis(pickle_bytes, out=io.StringIO())  # checks the opcodes parse; never executes anything
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("evil/data.pkl", pickle_bytes)
        z.writestr("evil/version", "3\n")
    print(f"{name}: {os.path.getsize(path)} bytes")


def unicode(s):  # BINUNICODE
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def short_unicode(s):  # SHORT_BINUNICODE (protocol 4)
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


# PROTO 2, GLOBAL 'os system', BINUNICODE cmd, TUPLE1, REDUCE, STOP
zip_checkpoint("evil_os_system.pth", b"\x80\x02cos\nsystem\n" + unicode("touch /tmp/musicml-pwned-os") + b"\x85R.")
# PROTO 4, SHORT_BINUNICODE 'builtins', 'eval', STACK_GLOBAL, code, TUPLE1, REDUCE, STOP
zip_checkpoint("evil_eval.pth", b"\x80\x04" + short_unicode("builtins") + short_unicode("eval") + b"\x93"
               + short_unicode("open('/tmp/musicml-pwned-eval', 'w').close()") + b"\x85R.")
# PROTO 2, EMPTY_DICT, key 'w', GLOBAL 'posix system', cmd, TUPLE1, REDUCE, SETITEM, STOP
zip_checkpoint("evil_posix.pth", b"\x80\x02}" + unicode("w") + b"cposix\nsystem\n"
               + unicode("touch /tmp/musicml-pwned-posix") + b"\x85Rs.")

# The legacy format's three header pickles, exactly as torch writes them, then an object pickle that calls os.system.
with open(os.path.join(HERE, "legacy.pth"), "rb") as f:
    legacy = f.read()
header = io.BytesIO(legacy)
for _ in range(3):  # genops reads one pickle up to its STOP without executing it
    for _op in pickletools.genops(header):
        pass
evil_legacy = legacy[:header.tell()] + b"\x80\x02cos\nsystem\n" + unicode("touch /tmp/musicml-pwned-legacy") + b"\x85R."
pickletools.dis(evil_legacy[header.tell():], out=io.StringIO())
with open(os.path.join(HERE, "evil_legacy.pth"), "wb") as f:
    f.write(evil_legacy + b"\x80\x02]q\x00.")
print(f"evil_legacy.pth: {len(evil_legacy) + 6} bytes")
