// Phim's side of the tensor benchmark: one DCGAN training step (64×64 generator and discriminator,
// batch 32) and one 3-D video discriminator step (batch 8, 16×64×64), timed after warm-up.
// Prints `dcgan_ms=… video_ms=…`: the fastest timed step of each (the least disturbed on a shared machine). The C++ and PyTorch peers in this folder
// build the same models with the same settings.
import Foundation
import PhimNN
import PhimTensor

func argument(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--" + name), i + 1 < args.count, let value = Int(args[i + 1]) { return value }
    return fallback
}

let warmup = argument("warmup", 2)
let steps = argument("steps", 5)
try Torch.setThreadCount(argument("threads", ProcessInfo.processInfo.activeProcessorCount))
try Torch.manualSeed(0)

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}


// MARK: DCGAN (Radford et al.): nz 100, ngf = ndf = 64, 64×64 RGB.

let generator = Sequential(
    try ConvTranspose2d(100, 512, kernelSize: 4, stride: 1, padding: 0, bias: false), try BatchNorm2d(512), Activation.relu(),
    try ConvTranspose2d(512, 256, kernelSize: 4, stride: 2, padding: 1, bias: false), try BatchNorm2d(256), Activation.relu(),
    try ConvTranspose2d(256, 128, kernelSize: 4, stride: 2, padding: 1, bias: false), try BatchNorm2d(128), Activation.relu(),
    try ConvTranspose2d(128, 64, kernelSize: 4, stride: 2, padding: 1, bias: false), try BatchNorm2d(64), Activation.relu(),
    try ConvTranspose2d(64, 3, kernelSize: 4, stride: 2, padding: 1, bias: false), Activation.tanh()
)
let discriminator = Sequential(
    try Conv2d(3, 64, kernelSize: 4, stride: 2, padding: 1, bias: false), Activation.leakyRelu(0.2),
    try Conv2d(64, 128, kernelSize: 4, stride: 2, padding: 1, bias: false), try BatchNorm2d(128), Activation.leakyRelu(0.2),
    try Conv2d(128, 256, kernelSize: 4, stride: 2, padding: 1, bias: false), try BatchNorm2d(256), Activation.leakyRelu(0.2),
    try Conv2d(256, 512, kernelSize: 4, stride: 2, padding: 1, bias: false), try BatchNorm2d(512), Activation.leakyRelu(0.2),
    try Conv2d(512, 1, kernelSize: 4, stride: 1, padding: 0, bias: false)
)
let optimizerG = Adam(generator.namedParameters(), learningRate: 2e-4, beta1: 0.5)
let optimizerD = Adam(discriminator.namedParameters(), learningRate: 2e-4, beta1: 0.5)
let batch = 32
let real = try Tensor.rand([batch, 3, 64, 64]) * 2 - 1
let ones = try Tensor.ones([batch, 1, 1, 1])
let zeros = try Tensor.zeros([batch, 1, 1, 1])

@MainActor func dcganStep() throws {
    let noise = try Tensor.randn([batch, 100, 1, 1])
    let fake = try generator(noise)
    try optimizerD.zeroGrad()
    let lossD = try binaryCrossEntropyWithLogits(discriminator(real), ones)
        + binaryCrossEntropyWithLogits(discriminator(fake.detach()), zeros)
    try lossD.backward()
    try optimizerD.step()
    try optimizerG.zeroGrad()
    let lossG = try binaryCrossEntropyWithLogits(discriminator(fake), ones)
    try lossG.backward()
    try optimizerG.step()
}

// MARK: Video discriminator: 3-D convolutions over 16 frames of 64×64.

let videoDiscriminator = Sequential(
    try Conv3d(3, 64, kernelSize: 4, stride: 2, padding: 1), Activation.leakyRelu(0.2),
    try Conv3d(64, 128, kernelSize: 4, stride: 2, padding: 1, bias: false), try BatchNorm3d(128), Activation.leakyRelu(0.2),
    try Conv3d(128, 256, kernelSize: 4, stride: 2, padding: 1, bias: false), try BatchNorm3d(256), Activation.leakyRelu(0.2),
    try Conv3d(256, 1, kernelSize: [2, 8, 8], stride: [1], padding: [0])
)
let optimizerV = Adam(videoDiscriminator.namedParameters(), learningRate: 2e-4, beta1: 0.5)
let videoBatch = 8
let realVideo = try Tensor.rand([videoBatch, 3, 16, 64, 64]) * 2 - 1
let fakeVideo = try Tensor.rand([videoBatch, 3, 16, 64, 64]) * 2 - 1
let videoOnes = try Tensor.ones([videoBatch, 1, 1, 1, 1])
let videoZeros = try Tensor.zeros([videoBatch, 1, 1, 1, 1])

@MainActor func videoStep() throws {
    try optimizerV.zeroGrad()
    let loss = try binaryCrossEntropyWithLogits(videoDiscriminator(realVideo), videoOnes)
        + binaryCrossEntropyWithLogits(videoDiscriminator(fakeVideo), videoZeros)
    try loss.backward()
    try optimizerV.step()
}

func measure(_ step: () throws -> Void) throws -> Double {
    for _ in 0..<warmup { try step() }
    return try (0..<steps).map { _ in try milliseconds(step) }.min() ?? .nan
}

/// The cost of one small op (an addition of two 8-element tensors), which is mostly the binding's own.
func opOverheadMicroseconds() throws -> Double {
    let a = try Tensor.ones([8]), b = try Tensor.ones([8])
    let count = 20_000
    var best = Double.infinity
    for _ in 0..<5 {
        let ms = try milliseconds { for _ in 0..<count { _ = try a.add(b) } }
        best = min(best, ms * 1000 / Double(count))
    }
    return best
}

let dcgan = try measure(dcganStep)
let video = try measure(videoStep)
let op = try opOverheadMicroseconds()
print(String(format: "dcgan_ms=%.1f video_ms=%.1f op_us=%.2f", dcgan, video, op))
