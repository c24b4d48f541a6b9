// The C++ peer of the tensor benchmark: the same DCGAN and video-discriminator steps as swift/main.swift,
// written against libtorch's C++ front end (torch::nn, torch::optim) and compiled by ./run.
// Prints `dcgan_ms=… video_ms=…`: the fastest timed step of each.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

namespace nn = torch::nn;

static int argument(int argc, char **argv, const char *name, int fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
    return fallback;
}


static double measure(int warmup, int steps, const std::function<void()> &step) {
    for (int i = 0; i < warmup; ++i) step();
    std::vector<double> times;
    for (int i = 0; i < steps; ++i) {
        auto start = std::chrono::steady_clock::now();
        step();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return *std::min_element(times.begin(), times.end());
}

static nn::ConvTranspose2d convT(int in, int out, int stride, int padding) {
    return nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, out, 4).stride(stride).padding(padding).bias(false));
}
static nn::Conv2d conv(int in, int out, int stride, int padding) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(stride).padding(padding).bias(false));
}
// Drops the gradients, as Phim's zeroGrad() and PyTorch 2's zero_grad() do (libtorch 1.13's zero_grad()
// fills them with zeros instead, which costs a pass over every gradient).
static void drop_gradients(torch::optim::Optimizer &optimizer) {
    for (auto &group : optimizer.param_groups())
        for (auto &p : group.params()) p.mutable_grad().reset();
}

static nn::LeakyReLU lrelu() { return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)); }

int main(int argc, char **argv) {
    int warmup = argument(argc, argv, "--warmup", 2), steps = argument(argc, argv, "--steps", 5);
    at::set_num_threads(argument(argc, argv, "--threads", (int)std::thread::hardware_concurrency()));
    torch::manual_seed(0);

    nn::Sequential generator(convT(100, 512, 1, 0), nn::BatchNorm2d(512), nn::ReLU(),
                             convT(512, 256, 2, 1), nn::BatchNorm2d(256), nn::ReLU(),
                             convT(256, 128, 2, 1), nn::BatchNorm2d(128), nn::ReLU(),
                             convT(128, 64, 2, 1), nn::BatchNorm2d(64), nn::ReLU(),
                             convT(64, 3, 2, 1), nn::Tanh());
    nn::Sequential discriminator(conv(3, 64, 2, 1), lrelu(),
                                 conv(64, 128, 2, 1), nn::BatchNorm2d(128), lrelu(),
                                 conv(128, 256, 2, 1), nn::BatchNorm2d(256), lrelu(),
                                 conv(256, 512, 2, 1), nn::BatchNorm2d(512), lrelu(),
                                 conv(512, 1, 1, 0));
    auto adam = torch::optim::AdamOptions(2e-4).betas({0.5, 0.999});
    torch::optim::Adam optimizerG(generator->parameters(), adam);
    torch::optim::Adam optimizerD(discriminator->parameters(), adam);
    const int batch = 32;
    auto real = torch::rand({batch, 3, 64, 64}) * 2 - 1;
    auto ones = torch::ones({batch, 1, 1, 1}), zeros = torch::zeros({batch, 1, 1, 1});
    namespace F = torch::nn::functional;

    double dcgan = measure(warmup, steps, [&] {
        auto noise = torch::randn({batch, 100, 1, 1});
        auto fake = generator->forward(noise);
        drop_gradients(optimizerD);
        auto lossD = F::binary_cross_entropy_with_logits(discriminator->forward(real), ones) +
                     F::binary_cross_entropy_with_logits(discriminator->forward(fake.detach()), zeros);
        lossD.backward();
        optimizerD.step();
        drop_gradients(optimizerG);
        auto lossG = F::binary_cross_entropy_with_logits(discriminator->forward(fake), ones);
        lossG.backward();
        optimizerG.step();
    });

    nn::Sequential video(nn::Conv3d(nn::Conv3dOptions(3, 64, 4).stride(2).padding(1)), lrelu(),
                         nn::Conv3d(nn::Conv3dOptions(64, 128, 4).stride(2).padding(1).bias(false)), nn::BatchNorm3d(128), lrelu(),
                         nn::Conv3d(nn::Conv3dOptions(128, 256, 4).stride(2).padding(1).bias(false)), nn::BatchNorm3d(256), lrelu(),
                         nn::Conv3d(nn::Conv3dOptions(256, 1, {2, 8, 8}).stride(1).padding(0)));
    torch::optim::Adam optimizerV(video->parameters(), adam);
    const int videoBatch = 8;
    auto realVideo = torch::rand({videoBatch, 3, 16, 64, 64}) * 2 - 1;
    auto fakeVideo = torch::rand({videoBatch, 3, 16, 64, 64}) * 2 - 1;
    auto vOnes = torch::ones({videoBatch, 1, 1, 1, 1}), vZeros = torch::zeros({videoBatch, 1, 1, 1, 1});
    double videoMs = measure(warmup, steps, [&] {
        drop_gradients(optimizerV);
        auto loss = F::binary_cross_entropy_with_logits(video->forward(realVideo), vOnes) +
                    F::binary_cross_entropy_with_logits(video->forward(fakeVideo), vZeros);
        loss.backward();
        optimizerV.step();
    });
    // The cost of one small op (an addition of two 8-element tensors).
    auto a = torch::ones({8}), b = torch::ones({8});
    double op = 1e30;
    for (int round = 0; round < 5; ++round) {
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 20000; ++i) { auto c = at::add(a, b); }
        op = std::min(op, std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / 20000);
    }
    std::printf("dcgan_ms=%.1f video_ms=%.1f op_us=%.2f\n", dcgan, videoMs, op);
    return 0;
}
