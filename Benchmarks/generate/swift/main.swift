// Phim's side of the generate benchmark: the video GAN `phim train` builds for a set of 64×64 clips of 16 frames in
// 5 classes (generator width 16, discriminator width 32, the video discriminator on windows of 8 frames at 32×32),
// timed after warm-up:
// - one training step, `VideoGANTrainer.train(on:classes:)` with its default settings on random clips (batch 16):
//   `step_ms` a step without R1, `r1_step_ms` one with it (R1 runs every 16th step; a second trainer of the same
//   model with R1 every step times it), `train_ms` the mean over a cycle of 16, (15 · step + r1) / 16;
// - sampling: the generator alone, in evaluation mode under no-grad, `clips_per_s` clips a second at 32 a batch.
// Prints `train_ms=… step_ms=… r1_step_ms=… clips_per_s=… params=…`: the fastest timed step of each (the least
// disturbed on a shared machine) and the model's parameter count. peer.py builds the same model in PyTorch and takes
// the same options: --size --frames --classes --generator-width --discriminator-width --window --video-size --batch
// --sample-batch --steps --warmup --threads.
import Foundation
import PhimGen
import PhimNN
import PhimTensor

func argument(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--" + name), i + 1 < args.count, let value = Int(args[i + 1]) { return value }
    return fallback
}

let warmup = argument("warmup", 2)
let steps = argument("steps", 5)
let batch = argument("batch", 16)
let sampleBatch = argument("sample-batch", 32)
try Torch.setThreadCount(argument("threads", ProcessInfo.processInfo.activeProcessorCount))
try Torch.manualSeed(0)

var config = VideoGANConfig(size: argument("size", 64), frames: argument("frames", 16), classes: argument("classes", 5))
config.generatorWidth = argument("generator-width", 16)
config.discriminatorWidth = argument("discriminator-width", 32)
config.videoWindow = argument("window", 8)
config.videoSize = argument("video-size", 32)

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

func measure(warmup: Int, steps: Int, _ step: () throws -> Void) throws -> Double {
    for _ in 0..<warmup { try step() }
    return try (0..<steps).map { _ in try milliseconds(step) }.min() ?? .nan
}

/// Random int64 classes `[count]` of `classes`, or nil for an unconditional model (`classes` 0).
func randomClasses(_ count: Int, of classes: Int) throws -> Tensor? {
    classes > 0 ? try Tensor.randint(0, classes, [count]) : nil
}

let model = try VideoGAN(config)
let real = try Tensor.rand([batch, 3, config.frames, config.size, config.size]) * 2 - 1
let classes = try randomClasses(batch, of: config.classes)

// MARK: Training: the steps between R1 steps, then R1 steps.

let trainer = try VideoGANTrainer(model: model)
let r1Interval = trainer.settings.r1Interval
var plainSteps: [Double] = [], r1Steps: [Double] = []
for index in 0..<(warmup + steps) {
    let lazyR1 = trainer.step % r1Interval == 0
    let ms = try milliseconds { _ = try trainer.train(on: real, classes: classes) }
    guard index >= warmup else { continue }
    if lazyR1 { r1Steps.append(ms) } else { plainSteps.append(ms) }
}
if plainSteps.isEmpty {  // Without warm-up, a single timed step is step 0, an R1 step: step 1 is not.
    plainSteps.append(try milliseconds { _ = try trainer.train(on: real, classes: classes) })
}
// The same model under a trainer whose every step computes R1 (its weight scales with the interval: the work does not).
var everyStep = VideoGANTrainer.Settings()
everyStep.r1Interval = 1
let r1Trainer = try VideoGANTrainer(model: model, settings: everyStep)
r1Steps.append(try measure(warmup: min(warmup, 1), steps: steps) { _ = try r1Trainer.train(on: real, classes: classes) })
let stepMs = plainSteps.min() ?? .nan
let r1StepMs = r1Steps.min() ?? .nan
let trainMs = (Double(r1Interval - 1) * stepMs + r1StepMs) / Double(r1Interval)

// MARK: Sampling: the generator alone, as `phim sample` runs it.

let generator = model.generator
generator.eval()
let sampleClasses = try randomClasses(sampleBatch, of: config.classes)
let sampleMs = try measure(warmup: warmup, steps: steps) {
    try withNoGrad { () throws in
        let (content, motion) = try generator.noise(batch: sampleBatch, frames: config.frames)
        _ = try generator(content: content, motionNoise: motion, classes: sampleClasses)
    }
}

print(String(format: "train_ms=%.1f step_ms=%.1f r1_step_ms=%.1f clips_per_s=%.2f params=%d", trainMs, stepMs, r1StepMs,
             Double(sampleBatch) * 1000 / sampleMs, model.parameterCount))
