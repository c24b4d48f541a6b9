"""The PyTorch peer of the generate benchmark: the video GAN of Sources/PhimGen/Models/VideoGAN.swift and the
training step of VideoGANTrainer.swift, written again in PyTorch layer for layer (same layers, shapes, kernels,
strides, paddings, spectral norm with one power iteration, the same losses, augmentation, lazy R1, optimizers and
EMA), timed as swift/main.swift times Phim's. Takes the same options and prints the same line:
`train_ms=… step_ms=… r1_step_ms=… clips_per_s=… params=… version=…`."""
import argparse
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm

parser = argparse.ArgumentParser()
parser.add_argument("--size", type=int, default=64)
parser.add_argument("--frames", type=int, default=16)
parser.add_argument("--classes", type=int, default=5)
parser.add_argument("--generator-width", type=int, default=16)
parser.add_argument("--discriminator-width", type=int, default=32)
parser.add_argument("--window", type=int, default=8)
parser.add_argument("--video-size", type=int, default=32)
parser.add_argument("--batch", type=int, default=16)
parser.add_argument("--sample-batch", type=int, default=32)
parser.add_argument("--warmup", type=int, default=2)
parser.add_argument("--steps", type=int, default=5)
parser.add_argument("--threads", type=int, default=os.cpu_count())
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

# VideoGANConfig's defaults for what the options leave out.
CONTENT, MOTION_NOISE, MOTION, CLASS_DIM = 64, 16, 32, 16
R1_GAMMA, R1_INTERVAL, RECONSTRUCTION_WEIGHT, EMA_DECAY = 0.2, 16, 10.0, 0.999


def blocks(size):
    """4×4 up to `size` in doublings."""
    return int(round(math.log2(max(size, 4) // 4)))


class VideoGenerator(nn.Module):
    """MoCoGAN's generator as Phim builds it: a GRU's motion path (minus its first code), the content and the class
    embedding per frame, a linear layer to 4×4, then nearest ×2 + 3×3 conv blocks with batch norm, a 3×3 conv, tanh."""

    def __init__(self):
        super().__init__()
        # phim-mocogan-2 and 3: the GRU sees the class embedding beside each frame's noise.
        self.motion = nn.GRUCell(MOTION_NOISE + (CLASS_DIM if args.classes > 0 else 0), MOTION)
        # phim-mocogan-3: the GRU starts from a state made of the clip's first motion noise.
        self.motion_start = nn.Linear(MOTION_NOISE, MOTION)
        self.class_embedding = nn.Embedding(args.classes, CLASS_DIM) if args.classes > 0 else None
        latent = CONTENT + MOTION + (CLASS_DIM if args.classes > 0 else 0)
        self.top = args.generator_width << (blocks(args.size) - 1)
        self.input = nn.Linear(latent, self.top * 16)
        self.input_norm = nn.BatchNorm1d(self.top * 16)
        ups, norms, channels = [], [], self.top
        for block in range(blocks(args.size)):
            following = args.generator_width if block == blocks(args.size) - 1 else channels // 2
            ups.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(channels, following, 3, padding=1)))
            norms.append(nn.BatchNorm2d(following))
            channels = following
        self.ups, self.norms = nn.ModuleList(ups), nn.ModuleList(norms)
        self.output = nn.Conv2d(channels, 3, 3, padding=1)

    def motion_codes(self, noise, class_vector=None):
        hidden = torch.tanh(self.motion_start(noise.select(1, 0)))
        codes = []
        for t in range(noise.size(1)):
            step_input = noise.select(1, t)
            if class_vector is not None:
                step_input = torch.cat([step_input, class_vector], 1)
            hidden = self.motion(step_input, hidden)
            codes.append(hidden)
        path = torch.stack(codes, 1)
        return path - path.narrow(1, 0, 1)

    def forward(self, content, motion_noise, classes=None, window=None, stride=1):
        batch = content.size(0)
        class_vector = self.class_embedding(classes) if self.class_embedding is not None else None
        codes = self.motion_codes(motion_noise, class_vector)
        if window is not None:
            codes = codes[:, window[0]:window[1]:stride]
        frames = codes.size(1)
        parts = [content.unsqueeze(1).expand(batch, frames, CONTENT), codes]
        if class_vector is not None:
            parts.append(class_vector.unsqueeze(1).expand(batch, frames, CLASS_DIM))
        latent = torch.cat(parts, 2).reshape(batch * frames, -1)
        x = F.relu(self.input_norm(self.input(latent))).reshape(batch * frames, self.top, 4, 4)
        for up, norm in zip(self.ups, self.norms):
            x = F.relu(norm(up(x)))
        x = torch.tanh(self.output(x))
        return x.reshape(batch, frames, 3, args.size, args.size).permute(0, 2, 1, 3, 4)

    def noise(self, batch, frames):
        return torch.randn(batch, CONTENT), torch.randn(batch, frames, MOTION_NOISE)


class ProjectionDiscriminator(nn.Module):
    """Spectrally normalised strided convolutions with leaky ReLUs, features summed over space (and time), a linear
    score plus the projection of a class embedding on the features."""

    def __init__(self, video):
        super().__init__()
        convolutions, channels, width, frames = [], 3, args.discriminator_width, args.window
        for _ in range(blocks(args.video_size) if video else blocks(args.size)):
            if video:
                # Halve time while there is time to halve; space always.
                time_stride = 2 if frames >= 4 else 1
                frames = frames // 2 if time_stride == 2 else frames
                convolution = nn.Conv3d(channels, width, (4 if time_stride == 2 else 3, 4, 4), (time_stride, 2, 2), 1)
            else:
                convolution = nn.Conv2d(channels, width, 4, 2, 1)
            convolutions.append(spectral_norm(convolution))
            channels = width
            width = min(width * 2, args.discriminator_width * 8)
        self.convolutions = nn.ModuleList(convolutions)
        self.score = spectral_norm(nn.Linear(channels, 1))
        self.class_embedding = None
        if args.classes > 0:
            embedding = nn.Embedding(args.classes, channels)
            nn.init.normal_(embedding.weight, std=0.02)
            self.class_embedding = spectral_norm(embedding)

    def forward(self, x, classes=None):
        for convolution in self.convolutions:
            x = F.leaky_relu(convolution(x), 0.2)
        features = x.flatten(2).sum(2)
        out = self.score(features).squeeze(1)
        if self.class_embedding is not None:
            out = out + (self.class_embedding(classes) * features).sum(1)
        return out


class ImageEncoder(nn.Module):
    """A still to a content code: strided 4×4 convolutions with leaky ReLUs, then a linear layer."""

    def __init__(self):
        super().__init__()
        convolutions, channels, width = [], 3, args.discriminator_width
        for _ in range(blocks(args.size)):
            convolutions.append(nn.Conv2d(channels, width, 4, 2, 1))
            channels = width
            width = min(width * 2, args.discriminator_width * 8)
        self.convolutions = nn.ModuleList(convolutions)
        self.output = nn.Linear(channels * 16, CONTENT)

    def forward(self, x):
        for convolution in self.convolutions:
            x = F.leaky_relu(convolution(x), 0.2)
        return self.output(x.flatten(1))


class VideoGAN(nn.Module):
    def __init__(self):
        super().__init__()
        self.generator = VideoGenerator()
        self.image_discriminator = ProjectionDiscriminator(video=False)
        self.video_discriminator = ProjectionDiscriminator(video=True)
        self.encoder = ImageEncoder()


def diff_augment(clips):
    """Brightness, saturation, contrast and a translation of up to an eighth, drawn once per clip and applied to
    every frame of it (Phim's default: no cutout)."""
    batch, channels, frames, height, width = clips.shape

    def per_clip():
        return torch.rand(batch, 1, 1, 1, 1)

    x = clips + (per_clip() - 0.5)
    grey = x.mean(1, keepdim=True)
    x = (x - grey) * (per_clip() * 2) + grey
    average = x.mean([1, 3, 4], keepdim=True)
    x = (x - average) * (per_clip() + 0.5) + average
    shift = (torch.rand(batch, 2) * 2 - 1) * 0.25
    identity = torch.eye(2).unsqueeze(0).expand(batch, 2, 2)
    theta = torch.cat([identity, shift.unsqueeze(2)], 2)
    flat = x.reshape(batch, channels * frames, height, width)
    grid = F.affine_grid(theta, [batch, channels * frames, height, width], align_corners=False)
    x = F.grid_sample(flat, grid, mode="nearest", padding_mode="zeros", align_corners=False)
    return x.reshape(batch, channels, frames, height, width)


def hinge(scores, real):
    return F.relu(1 - scores if real else scores + 1).mean()


class Trainer:
    """VideoGANTrainer's step: one generator pass whose clips the discriminators learn from detached, then the
    generator and encoder learn from the same clips with the discriminators frozen; lazy R1; EMA with warm-up."""

    def __init__(self, model, r1_interval=R1_INTERVAL):
        self.model = model
        self.r1_interval = r1_interval
        generator_parameters = list(model.generator.parameters()) + list(model.encoder.parameters())
        self.discriminator_parameters = (list(model.image_discriminator.parameters())
                                         + list(model.video_discriminator.parameters()))
        self.generator_optimizer = torch.optim.Adam(generator_parameters, lr=2e-4, betas=(0.0, 0.99))
        self.discriminator_optimizer = torch.optim.Adam(self.discriminator_parameters, lr=2e-4, betas=(0.0, 0.99))
        with torch.no_grad():
            self.ema = [p.detach().clone() for p in model.generator.parameters()]
            self.ema_buffers = [b.detach().clone() for b in model.generator.buffers()]
        self.step = 0

    def random_start(self, last):
        return 0 if last <= 0 else int(torch.randint(0, last + 1, (1,)).item())

    def scores(self, clips, classes, augment=True):
        x = diff_augment(clips) if augment else clips
        batch, frames = x.size(0), x.size(2)
        # The image discriminator judges every frame.
        frame = x.permute(0, 2, 1, 3, 4).reshape(batch * frames, 3, x.size(3), x.size(4))
        frame_classes = classes.unsqueeze(1).expand(batch, frames).reshape(-1) if classes is not None else None
        factor = x.size(3) // args.video_size
        video = F.avg_pool3d(x, (1, factor, factor)) if factor > 1 else x
        return self.model.image_discriminator(frame, frame_classes), self.model.video_discriminator(video, classes)

    def train(self, real, classes):
        model, generator = self.model, self.model.generator
        batch, frames = real.size(0), real.size(2)
        model.train()
        window = min(args.window, frames)
        strides = [s for s in (1, 2) if s * (window - 1) + 1 <= frames] or [1]
        stride = strides[int(torch.randint(0, len(strides), (1,)).item())]
        span = stride * (window - 1) + 1
        real_start, fake_start = self.random_start(frames - span), self.random_start(frames - span)
        real_window = real[:, :, real_start:real_start + span:stride]
        content, motion = generator.noise(batch, fake_start + span)
        generated = generator(content, motion, classes, (fake_start, fake_start + span), stride)
        fake = generated.detach()
        lazy_r1 = R1_GAMMA > 0 and self.step % self.r1_interval == 0
        augmented_real = diff_augment(real_window).detach()
        real_input = augmented_real.detach().requires_grad_(True) if lazy_r1 else augmented_real
        real_image, real_video = self.scores(real_input, classes, augment=False)
        fake_image, fake_video = self.scores(fake, classes)
        discriminator_loss = (hinge(real_image, True) + hinge(fake_image, False)
                              + hinge(real_video, True) + hinge(fake_video, False))
        losses = {"discriminator": discriminator_loss.item()}
        if lazy_r1:
            (image_gradient,) = torch.autograd.grad([real_image.sum()], [real_input], create_graph=True)
            (video_gradient,) = torch.autograd.grad([real_video.sum()], [real_input], create_graph=True)
            norms = image_gradient.pow(2).sum([1, 3, 4]).mean() + video_gradient.pow(2).sum([1, 2, 3, 4]).mean()
            penalty = norms * (R1_GAMMA / 2 * self.r1_interval)
            losses["r1"] = penalty.item()
            discriminator_loss = discriminator_loss + penalty
        self.discriminator_optimizer.zero_grad(set_to_none=True)
        discriminator_loss.backward()
        self.discriminator_optimizer.step()

        for parameter in self.discriminator_parameters:
            parameter.requires_grad_(False)
        try:
            image, video = self.scores(generated, classes)
            adversarial = -(image.mean() + video.mean())
            still = real.select(2, 0)
            encoded = model.encoder(still)
            no_motion = torch.randn(batch, 1, MOTION_NOISE)
            first_frame = generator(encoded, no_motion, classes).select(2, 0)
            reconstruction = F.l1_loss(first_frame, still)
            generator_loss = adversarial + reconstruction * RECONSTRUCTION_WEIGHT
            self.generator_optimizer.zero_grad(set_to_none=True)
            generator_loss.backward()
            self.generator_optimizer.step()
        finally:
            for parameter in self.discriminator_parameters:
                parameter.requires_grad_(True)
        decay = min(EMA_DECAY, (self.step + 1) / (self.step + 10))
        with torch.no_grad():
            for average, parameter in zip(self.ema, generator.parameters()):
                average.lerp_(parameter, 1 - decay)
            for copy, buffer in zip(self.ema_buffers, generator.buffers()):
                copy.copy_(buffer)
        self.step += 1
        losses.update(generator=adversarial.item(), reconstruction=reconstruction.item())
        return losses


def milliseconds(body):
    start = time.perf_counter()
    body()
    return (time.perf_counter() - start) * 1000


def measure(warmup, steps, step):
    for _ in range(warmup):
        step()
    return min((milliseconds(step) for _ in range(steps)), default=float("nan"))


def random_classes(count):
    return torch.randint(0, args.classes, (count,)) if args.classes > 0 else None


model = VideoGAN()
real = torch.rand(args.batch, 3, args.frames, args.size, args.size) * 2 - 1
classes = random_classes(args.batch)

# Training: the steps between R1 steps, then R1 steps (a second trainer of the same model with R1 every step).
trainer = Trainer(model)
plain_steps, r1_steps = [], []
for index in range(args.warmup + args.steps):
    lazy_r1 = trainer.step % trainer.r1_interval == 0
    ms = milliseconds(lambda: trainer.train(real, classes))
    if index >= args.warmup:
        (r1_steps if lazy_r1 else plain_steps).append(ms)
if not plain_steps:  # Without warm-up, a single timed step is step 0, an R1 step: step 1 is not.
    plain_steps.append(milliseconds(lambda: trainer.train(real, classes)))
r1_trainer = Trainer(model, r1_interval=1)
r1_steps.append(measure(min(args.warmup, 1), args.steps, lambda: r1_trainer.train(real, classes)))
step_ms = min(plain_steps)
r1_step_ms = min(r1_steps)
train_ms = ((R1_INTERVAL - 1) * step_ms + r1_step_ms) / R1_INTERVAL

# Sampling: the generator alone, in evaluation mode under no-grad.
generator = model.generator
generator.eval()
sample_classes = random_classes(args.sample_batch)


def sample():
    with torch.no_grad():
        content, motion = generator.noise(args.sample_batch, args.frames)
        generator(content, motion, sample_classes)


sample_ms = measure(args.warmup, args.steps, sample)
params = sum(p.numel() for p in model.parameters())
print(f"train_ms={train_ms:.1f} step_ms={step_ms:.1f} r1_step_ms={r1_step_ms:.1f} "
      f"clips_per_s={args.sample_batch * 1000 / sample_ms:.2f} params={params} version={torch.__version__}")
