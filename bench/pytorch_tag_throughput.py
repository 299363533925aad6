#!/usr/bin/env python3
"""PyTorch reference for the tagging-throughput row of bench/README.md: the original pipeline of the published FCN
tagger (Won et al. 2020, training/eval.py) from audio files to track probabilities -- decode with torchaudio, resample
to 16 kHz, mono, 16 chunks of 464,000 samples as one batch, torchaudio's MelSpectrogram (n_fft 512, hop 256, 96 HTK
bands 0-8 kHz) and AmplitudeToDB, the FCN (bench/pytorch_fcn_step.py) with ../shared/models/mtat_fcn weights in eval
mode, sigmoid averaged over the chunks -- timed over all files, as `musicml tag --model mtat_fcn.safetensors` is.

Run with Debian's python3-torch / python3-torchaudio (libtorch 1.13.1, the one MusicML binds), same thread count:
    /usr/bin/python3 bench/pytorch_tag_throughput.py --threads 2 --model ../shared/models/mtat_fcn.safetensors FILES...
Prints tracks per minute and the first track's top tags, to compare with MusicML's output for the same file.
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_fcn_step import FCN  # noqa: E402  the same layers as the training-step benchmark

CHUNK = 464000
N_CHUNKS = 16
DTYPES = {"F32": np.float32, "I64": np.int64, "F64": np.float64}


def load_safetensors(path):
    """The safetensors format is an 8-byte header length, a JSON header and raw little-endian tensors."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--model", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with open(os.path.splitext(args.model)[0] + ".json") as f:
        tags = json.load(f)["tags"]
    model = FCN(n_class=len(tags))
    model.load_state_dict(load_safetensors(args.model))
    model.eval()
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=512, win_length=512, hop_length=256,
                                               f_min=0.0, f_max=8000.0, n_mels=96)
    to_db = torchaudio.transforms.AmplitudeToDB()
    start = time.perf_counter()
    first = None
    with torch.no_grad():
        for path in args.files:
            audio, rate = torchaudio.load(path)
            audio = audio.mean(dim=0)
            if rate != 16000:
                audio = torchaudio.functional.resample(audio, rate, 16000)
            hop = (audio.numel() - CHUNK) // N_CHUNKS
            batch = torch.stack([audio[i * hop:i * hop + CHUNK] for i in range(N_CHUNKS)])
            probabilities = torch.sigmoid(model(to_db(mel(batch)))).mean(dim=0)
            if first is None:
                first = probabilities
    seconds = time.perf_counter() - start
    print(f"torch {torch.__version__}, torchaudio {torchaudio.__version__}, threads {torch.get_num_threads()}")
    print(f"{len(args.files)} tracks in {seconds:.2f} s: {len(args.files) / seconds * 60:.1f} tracks per minute")
    top = sorted(zip(tags, first.tolist()), key=lambda t: -t[1])[:5]
    print(args.files[0] + "\t" + "\t".join(f"{t}:{p:.6f}" for t, p in top))


if __name__ == "__main__":
    main()
