"""Writes pytorch_reference.safetensors: small PyTorch modules' state_dicts (PyTorch names) with inputs and outputs.

Provenance of the fixture the tests compare against; the tests themselves never run Python. Run with Debian's
python3-torch 1.13.1 (same libtorch as libtorch-dev):  /usr/bin/python3 make_pytorch_reference.py
The safetensors writer below is the format's definition (u64 header length, JSON header padded to 8, raw data).
"""
import json
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2024)
torch.set_num_threads(1)


class Reference(nn.Module):
    """Conv2d + BatchNorm2d + 2-layer bidirectional GRU + LSTM + LayerNorm + Linear: the layers the taggers need."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, (3, 5), stride=(1, 2), padding=(1, 2), dilation=(1, 1))
        self.bn = nn.BatchNorm2d(3)
        self.gru = nn.GRU(12, 5, num_layers=2, batch_first=True, bidirectional=True)
        self.lstm = nn.LSTM(10, 4, num_layers=2)
        self.norm = nn.LayerNorm(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        h = F.max_pool2d(F.elu(self.bn(self.conv(x))), (2, 1))  # (N, 3, 4, T)
        seq = h.flatten(1, 2).transpose(1, 2)                      # (N, T, 12)
        g, _ = self.gru(seq)                                        # (N, T, 10)
        l, _ = self.lstm(g.transpose(0, 1))                         # (T, N, 4)
        return self.fc(self.norm(l[-1]))                            # (N, 3)


model = Reference()
# Non-trivial running statistics so evaluation-mode batch norm is tested.
with torch.no_grad():
    model.bn.running_mean.uniform_(-0.5, 0.5)
    model.bn.running_var.uniform_(0.5, 1.5)
    model.bn.num_batches_tracked.fill_(17)
model.eval()
x = torch.randn(2, 1, 8, 12)
with torch.no_grad():
    y = model(x)

tensors = dict(model.state_dict())
tensors["input"] = x
tensors["output"] = y

codes = {torch.float32: "F32", torch.int64: "I64"}
header, blobs, offset = {"__metadata__": {"format": "pt", "torch": torch.__version__}}, [], 0
for name, t in tensors.items():
    data = t.detach().contiguous().numpy().tobytes()
    header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
raw = json.dumps(header, separators=(",", ":")).encode()
raw += b" " * (-len(raw) % 8)
with open("pytorch_reference.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(raw)))
    f.write(raw)
    for b in blobs:
        f.write(b)
print("wrote", len(tensors), "tensors; output", y.tolist())
