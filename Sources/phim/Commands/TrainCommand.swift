import ArgumentParser
import Foundation
import PhimCore
import PhimFace
import PhimGen
import PhimTensor

/// `phim train DATA -o RUN`: a video GAN on a training set.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a video GAN (MoCoGAN-style) on a set made by `phim dataset`.",
        discussion: """
            RUN gets checkpoint.safetensors (to --resume from), model.safetensors + model.json (the EMA generator and \
            the image encoder: what `phim sample` reads), samples/step-N.png and .mp4, losses.csv and losses.png. \
            Ctrl-C saves a checkpoint and stops; run again with --resume to go on.
            """
    )

    @Argument(help: "The training set (a folder with labels.json and clips/).") var data: String
    @Option(name: .shortAndLong, help: "The run folder (new, or with --resume one that holds a checkpoint).") var output: String
    @Option(help: "Train until this step.") var steps = 6_000
    @Option(help: "Clips a batch.") var batch = 16
    @Option(help: "Save a checkpoint and the model every N steps.") var checkpointEvery = 500
    @Option(help: "Write a sample grid and video every N steps.") var sampleEvery = 500
    @Option(help: "The seed for initialisation, noise and batch order.") var seed: UInt64 = 1
    @Option(help: "Channels of the generator's last block (each block before it has twice as many).")
    var width = 16
    @Option(help: "Channels of the discriminators' first block (each block after it has twice as many, up to 8x).")
    var discriminatorWidth = 32
    @Option(help: "Frames of the windows the video discriminator judges (default: 8, or the clip's length if shorter).")
    var videoWindow: Int?
    @Option(help: "The size the video discriminator judges clips at (default: half the clip's size from 64 pixels).")
    var videoSize: Int?
    @Option(help: "Adam's learning rate for both networks.") var learningRate = 2e-4
    @Flag(help: "Continue the run in the output folder from its checkpoint.") var resume = false
    @Option(help: "Train in this many processes on this machine (data-parallel over Gloo; --batch is split between them).")
    var workers = 1
    @Option(help: "Across machines: this process's rank (0 writes the run folder; start one process per rank).") var rank: Int?
    @Option(help: "Across machines: the number of processes in all.") var worldSize: Int?
    @Option(help: "Across machines: HOST:PORT where rank 0 waits for the others (the same on every rank).") var master: String?
    @Option(help: .hidden) var threads: Int?

    func validate() throws {
        guard (1...GANTrainingOptions.maxSteps).contains(steps) else { throw ValidationError("--steps must be between 1 and \(GANTrainingOptions.maxSteps)") }
        guard GANTrainingOptions.batches.contains(batch) else { throw ValidationError("--batch must be between 1 and 512") }
        guard checkpointEvery >= 1, sampleEvery >= 1 else { throw ValidationError("--checkpoint-every and --sample-every must be at least 1") }
        guard (4...512).contains(width) else { throw ValidationError("--width must be between 4 and 512") }
        guard (4...512).contains(discriminatorWidth) else { throw ValidationError("--discriminator-width must be between 4 and 512") }
        if let videoWindow, !(2...256).contains(videoWindow) { throw ValidationError("--video-window must be between 2 and 256") }
        if let videoSize, ![8, 16, 32, 64, 128, 256].contains(videoSize) {
            throw ValidationError("--video-size must be a power of two from 8 to 256")
        }
        guard learningRate > 0, learningRate < 1 else { throw ValidationError("--learning-rate must be between 0 and 1") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
        let across = [rank != nil, worldSize != nil, master != nil]
        guard across.allSatisfy({ $0 }) || across.allSatisfy({ !$0 }) else {
            throw ValidationError("--rank, --world-size and --master go together")
        }
        if rank != nil, workers > 1 { throw ValidationError("--workers is for one machine; across machines start one process per --rank") }
        if let master, DistributedTraining.parseAddress(master) == nil { throw ValidationError("--master must be HOST:PORT") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
        let world = worldSize ?? workers
        guard batch % world == 0 else { throw ValidationError("--batch \(batch) does not split evenly over \(world) processes") }
    }

    func run() async throws {
        let cancellation = CancellationFlag()
        let interrupts = InterruptHandler { cancellation.cancel() }
        defer { interrupts.stop() }
        var options = GANTrainingOptions()
        options.steps = steps
        options.batch = batch
        options.checkpointEvery = checkpointEvery
        options.sampleEvery = sampleEvery
        options.seed = seed
        options.resume = resume
        options.generatorWidth = width
        options.discriminatorWidth = discriminatorWidth
        options.videoWindow = videoWindow
        options.videoSize = videoSize
        options.settings.learningRate = learningRate
        var workersHere: LocalWorkers?
        if let rank, let worldSize, let master, let address = DistributedTraining.parseAddress(master) {
            options.distributed = DistributedTraining(rank: rank, worldSize: worldSize, host: address.host, port: address.port)
        } else if workers > 1 {
            let port = try Loopback.freePort()
            options.distributed = DistributedTraining(rank: 0, worldSize: workers, host: "127.0.0.1", port: port)
            workersHere = LocalWorkers(count: workers, port: port)
        }
        let local = workersHere
        // Processes sharing this machine share its cores. Set on the thread that trains: libtorch's OpenMP pool is
        // sized per thread, and a thread that did not ask got one (`phim train` trained on one core until 2026-12-04).
        let threadCount = threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / max(workers, 1))
        let training = GANTraining(data: URL(fileURLWithPath: data), run: URL(fileURLWithPath: output), options: options)
        let leader = (options.distributed?.rank ?? 0) == 0
        let decodeBar = ProgressBar(label: "decode", unit: "clips", rateUnit: "clips/s")
        let bar = TrainingBar()
        let started = MonotonicClock.now()
        let report: GANTraining.Report
        do {
            report = try await runBlocking(named: "phim-train", cancellation: nil) { () throws(PhimError) in
                try wrap { try Torch.setThreadCount(threadCount) }
                return try training.train(progress: leader ? bar.update : nil, decoding: decodeBar.update, cancellation: cancellation,
                                   ready: { () throws(PhimError) in try local?.start() })
            }
        } catch {
            local?.stop()
            throw error
        }
        try local?.wait()
        guard leader else { return }
        Console.shared.keepStatus()
        let losses = report.lastLosses.map { String(format: " (D %.3f, G %.3f, reconstruction %.4f)", $0.discriminator, $0.generator, $0.reconstruction) } ?? ""
        if report.interrupted {
            Console.shared.line("stopped at step \(report.step)\(losses); checkpoint saved in \(output); run again with --resume to go on")
        } else {
            let together = report.workers > 1 ? " by \(report.workers) processes (their models agree)" : ""
            Console.shared.line(String(format: "trained %@ to step %d%@%@ in %.1f s; model in %@", data, report.step, together, losses,
                                       MonotonicClock.now() - started, output))
        }
    }
}

/// The training line: step, losses, it/s and ETA, redrawn on a terminal, every 10 % elsewhere.
final class TrainingBar: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDraw = 0.0
    private var lastDecile = -1

    /// For `phim train`.
    var update: @Sendable (TrainingProgress) -> Void {
        { [self] progress in
            self.draw(step: progress.step, steps: progress.steps, rate: progress.rate,
                      losses: String(format: "D %.3f G %.3f rec %.4f", progress.losses.discriminator, progress.losses.generator,
                                     progress.losses.reconstruction))
        }
    }

    /// For `phim swap train`.
    var swapUpdate: @Sendable (SwapTraining.Progress) -> Void {
        { [self] progress in
            self.draw(step: progress.step, steps: progress.steps, rate: progress.rate,
                      losses: String(format: "source %.4f target %.4f mask %.4f", progress.losses.source, progress.losses.target,
                                     progress.losses.mask))
        }
    }

    private func draw(step: Int, steps: Int, rate: Double, losses: String) {
        lock.lock()
        defer { lock.unlock() }
        let fraction = Double(step) / Double(max(steps, 1))
        let eta = rate > 0 ? " ETA " + ProgressBar.clock(Double(steps - step) / rate) : ""
        if Console.shared.isTerminal {
            let now = MonotonicClock.now()
            guard now - lastDraw > 0.2 || fraction >= 1 else { return }
            lastDraw = now
            let filled = Int(fraction * 24)
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 24 - filled)
            Console.shared.progress(String(format: "train %@ %d/%d %@ %.2f it/s%@ ", bar, step, steps, losses, rate, eta))
        } else {
            let decile = Int(fraction * 10)
            guard decile > lastDecile else { return }
            lastDecile = decile
            Console.shared.progress(String(format: "train %d%% (step %d/%d, %@, %.2f it/s%@)", decile * 10, step, steps, losses, rate, eta))
        }
    }
}

/// The other processes of `phim train --workers N` on this machine: the same command as ranks 1…N−1, started once
/// rank 0 has the clips cached. A worker that fails ends the run (rank 0 would otherwise wait for it in vain).
final class LocalWorkers: @unchecked Sendable {
    let count: Int
    let port: Int
    private let lock = NSLock()
    private var processes: [Process] = []
    private var stopping = false

    init(count: Int, port: Int) {
        self.count = count
        self.port = port
    }

    /// Starts ranks 1…count−1 with this process's arguments, less `--workers`, plus their rank and the rendezvous.
    func start() throws(PhimError) {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let index = arguments.firstIndex(of: "--workers"), index + 1 < arguments.count {
            arguments.removeSubrange(index...(index + 1))
        }
        arguments.removeAll { $0.hasPrefix("--workers=") }
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount / count)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for rank in 1..<count {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments + ["--rank", String(rank), "--world-size", String(count),
                                             "--master", "127.0.0.1:\(port)", "--threads", String(threads)]
            process.standardOutput = FileHandle.nullDevice
            process.terminationHandler = { [weak self] finished in
                guard let self, finished.terminationStatus != 0 else { return }
                self.lock.lock()
                let expected = self.stopping
                self.lock.unlock()
                guard !expected else { return }
                Console.shared.error("phim train: worker \(rank) of \(self.count) stopped (exit status \(finished.terminationStatus)); "
                                     + "the run stops at its last checkpoint")
                exit(1)
            }
            do {
                try process.run()
            } catch {
                stop()
                throw PhimError(.operationFailed, "cannot start worker \(rank): \(error.localizedDescription)", subject: .option("workers"))
            }
            lock.lock()
            processes.append(process)
            lock.unlock()
        }
    }

    /// Waits for the workers to finish.
    func wait() throws(PhimError) {
        lock.lock()
        let running = processes
        lock.unlock()
        for process in running { process.waitUntilExit() }
    }

    /// Ends the workers (after rank 0 failed).
    func stop() {
        lock.lock()
        stopping = true
        let running = processes
        lock.unlock()
        for process in running where process.isRunning { process.terminate() }
    }
}
