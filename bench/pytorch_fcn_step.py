#!/usr/bin/env python3
"""PyTorch reference for bench/MusicML.Bench/TrainingStepBenchmarks.cs: one training step of the FCN tagger
(Choi et al. 2016, as in Won et al. 2020, training/model.py) -- forward, BCE-with-logits, backward, Adam -- on a batch
of 16 random dB-mel inputs of 96 x 1813 frames, timed per step after warm-up, plus the process RSS.

Run with Debian's python3-torch (the same libtorch 1.13.1 MusicML binds), with the thread count of the MusicML run:
    /usr/bin/python3 bench/pytorch_fcn_step.py --threads 2 --steps 10
"""
import argparse
import resource
import statistics
import time

import torch
import torch.nn as nn


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, pool):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.mp = nn.MaxPool2d(pool)

    def forward(self, x):
        return self.mp(self.relu(self.bn(self.conv(x))))


class FCN(nn.Module):
    """training/model.py FCN without the front end and the final sigmoid (the loss takes logits)."""

    def __init__(self, n_class=50):
        super().__init__()
        self.spec_bn = nn.BatchNorm2d(1)
        self.layer1 = ConvBlock(1, 64, (2, 4))
        self.layer2 = ConvBlock(64, 128, (2, 4))
        self.layer3 = ConvBlock(128, 128, (2, 4))
        self.layer4 = ConvBlock(128, 128, (3, 5))
        self.layer5 = ConvBlock(128, 64, (4, 4))
        self.dense = nn.Linear(64, n_class)
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        x = self.spec_bn(x.unsqueeze(1))
        x = self.layer5(self.layer4(self.layer3(self.layer2(self.layer1(x)))))
        x = x.view(x.size(0), -1)
        return self.dense(self.dropout(x))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--frames", type=int, default=1813)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = FCN()
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.randn(args.batch, 96, args.frames) * 10
    y = (torch.rand(args.batch, 50) < 0.1).float()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times, rss = [], []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
        rss.append(rss_mib())
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, batch {args.batch} x 96 x {args.frames}")
    print(f"step: mean {statistics.mean(times) * 1e3:.1f} ms, median {statistics.median(times) * 1e3:.1f} ms, "
          f"min {min(times) * 1e3:.1f} ms over {args.steps} steps")
    print(f"rss: first {rss[0]:.1f} MiB, last {rss[-1]:.1f} MiB, max {max(rss):.1f} MiB")


if __name__ == "__main__":
    main()
