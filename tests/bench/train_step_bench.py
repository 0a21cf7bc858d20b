#!/usr/bin/env python3
"""Training steps per second of FlowNetQ W8A8 in Python PyTorch: the same graph, quantizers,
loss, batch and optimizer as the C++ trainer (train/net/), for a side-by-side comparison."""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def quantize_activation(z, bits):
    levels = 2.0 ** bits
    clipped = z.clamp(0.0, 4.0 * (levels - 1) / levels)
    codes = torch.floor(0.25 * z * levels + 0.5).clamp(0, levels - 1)
    return clipped + (codes * (4.0 / levels) - clipped).detach()


def quantize_weight(w, bits, r):
    half = 2.0 ** (bits - 1)
    value = torch.floor(w / r * half + 0.5).clamp(-half, half - 1) * (r / half)
    return w + (value - w).detach()


class Block(torch.nn.Module):
    def __init__(self, cin, cout, k, stride, head=False):
        super().__init__()
        self.stride, self.pad, self.head = stride, (k - 1) // 2, head
        self.weight = torch.nn.Parameter(torch.empty(cout, cin, k, k))
        torch.nn.init.kaiming_normal_(self.weight, nonlinearity="relu")
        if head:
            self.bias = torch.nn.Parameter(torch.zeros(cout))
        else:
            self.bn = torch.nn.BatchNorm2d(cout)

    def forward(self, x):
        y = F.conv2d(x, quantize_weight(self.weight, 8, 0.125), stride=self.stride, padding=self.pad)
        if self.head:
            flow = 20 * (y + self.bias.view(1, -1, 1, 1))
            return flow + (torch.floor(flow * 32 + 0.5).clamp(-32768, 32767) / 32 - flow).detach()
        return quantize_activation(self.bn(y), 8)


def up(x):
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


class FlowNetQ(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        c = lambda n: max(1, round(n * m))
        self.conv1, self.conv2 = Block(6, c(64), 7, 2), Block(c(64), c(128), 5, 2)
        self.conv3, self.conv3_1 = Block(c(128), c(256), 5, 2), Block(c(256), c(256), 3, 1)
        self.conv4, self.conv4_1 = Block(c(256), c(512), 3, 2), Block(c(512), c(512), 3, 1)
        self.conv5, self.conv5_1 = Block(c(512), c(512), 3, 2), Block(c(512), c(512), 3, 1)
        self.conv6, self.conv6_1 = Block(c(512), c(1024), 3, 2), Block(c(1024), c(1024), 3, 1)
        self.deconv5 = Block(c(1024), c(512), 3, 1)
        self.deconv4 = Block(2 * c(512), c(256), 3, 1)
        self.deconv3 = Block(c(512) + c(256), c(128), 3, 1)
        self.deconv2 = Block(c(256) + c(128), c(64), 3, 1)
        self.head = Block(c(128) + c(64), 2, 3, 1, head=True)

    def forward(self, img1, img2):
        x = torch.cat([img1, img2], 1) / 255.0
        c2 = self.conv2(self.conv1(x))
        c3 = self.conv3_1(self.conv3(c2))
        c4 = self.conv4_1(self.conv4(c3))
        c5 = self.conv5_1(self.conv5(c4))
        c6 = self.conv6_1(self.conv6(c5))
        d5 = self.deconv5(up(c6))
        d4 = self.deconv4(up(torch.cat([c5, d5], 1)))
        d3 = self.deconv3(up(torch.cat([c4, d4], 1)))
        d2 = self.deconv2(up(torch.cat([c3, d3], 1)))
        flow = self.head(torch.cat([c2, d2], 1))
        return F.interpolate(flow, scale_factor=4, mode="bilinear", align_corners=False)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--width-mult", type=float, default=0.125)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net = FlowNetQ(a.width_mult)
    img1 = torch.randint(0, 256, (a.batch, 3, a.size, a.size)).float()
    img2 = torch.randint(0, 256, (a.batch, 3, a.size, a.size)).float()
    flow = torch.randn(a.batch, 2, a.size, a.size) * 4
    adam = torch.optim.Adam(net.parameters(), lr=1e-4)

    def step():
        adam.zero_grad()
        (net(img1, img2) - flow).abs().mean().backward()
        adam.step()

    step()
    times = []
    for _ in range(a.repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(f"python {1.0 / statistics.median(times):.3f}")


if __name__ == "__main__":
    main()
