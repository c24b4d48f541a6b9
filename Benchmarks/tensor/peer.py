"""The PyTorch peer of the tensor benchmark: the same DCGAN and video-discriminator steps as
swift/main.swift. Prints `dcgan_ms=… video_ms=… version=…`: the fastest timed step of each."""
import argparse
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--warmup", type=int, default=2)
parser.add_argument("--steps", type=int, default=5)
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)


def measure(step):
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def conv_t(i, o, s, p):
    return nn.ConvTranspose2d(i, o, 4, s, p, bias=False)


def conv(i, o, s, p):
    return nn.Conv2d(i, o, 4, s, p, bias=False)


generator = nn.Sequential(
    conv_t(100, 512, 1, 0), nn.BatchNorm2d(512), nn.ReLU(),
    conv_t(512, 256, 2, 1), nn.BatchNorm2d(256), nn.ReLU(),
    conv_t(256, 128, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
    conv_t(128, 64, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
    conv_t(64, 3, 2, 1), nn.Tanh())
discriminator = nn.Sequential(
    conv(3, 64, 2, 1), nn.LeakyReLU(0.2),
    conv(64, 128, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
    conv(128, 256, 2, 1), nn.BatchNorm2d(256), nn.LeakyReLU(0.2),
    conv(256, 512, 2, 1), nn.BatchNorm2d(512), nn.LeakyReLU(0.2),
    conv(512, 1, 1, 0))
opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
batch = 32
real = torch.rand(batch, 3, 64, 64) * 2 - 1
ones, zeros = torch.ones(batch, 1, 1, 1), torch.zeros(batch, 1, 1, 1)


def dcgan_step():
    fake = generator(torch.randn(batch, 100, 1, 1))
    opt_d.zero_grad()
    loss_d = (F.binary_cross_entropy_with_logits(discriminator(real), ones)
              + F.binary_cross_entropy_with_logits(discriminator(fake.detach()), zeros))
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad()
    loss_g = F.binary_cross_entropy_with_logits(discriminator(fake), ones)
    loss_g.backward()
    opt_g.step()


video = nn.Sequential(
    nn.Conv3d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2),
    nn.Conv3d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm3d(128), nn.LeakyReLU(0.2),
    nn.Conv3d(128, 256, 4, 2, 1, bias=False), nn.BatchNorm3d(256), nn.LeakyReLU(0.2),
    nn.Conv3d(256, 1, (2, 8, 8), 1, 0))
opt_v = torch.optim.Adam(video.parameters(), lr=2e-4, betas=(0.5, 0.999))
vbatch = 8
real_video = torch.rand(vbatch, 3, 16, 64, 64) * 2 - 1
fake_video = torch.rand(vbatch, 3, 16, 64, 64) * 2 - 1
v_ones, v_zeros = torch.ones(vbatch, 1, 1, 1, 1), torch.zeros(vbatch, 1, 1, 1, 1)


def video_step():
    opt_v.zero_grad()
    loss = (F.binary_cross_entropy_with_logits(video(real_video), v_ones)
            + F.binary_cross_entropy_with_logits(video(fake_video), v_zeros))
    loss.backward()
    opt_v.step()


dcgan = measure(dcgan_step)
video_ms = measure(video_step)
a, b = torch.ones(8), torch.ones(8)
op = float("inf")
for _ in range(5):
    start = time.perf_counter()
    for _ in range(20000):
        torch.add(a, b)
    op = min(op, (time.perf_counter() - start) * 1e6 / 20000)
print(f"dcgan_ms={dcgan:.1f} video_ms={video_ms:.1f} op_us={op:.2f} version={torch.__version__}")
