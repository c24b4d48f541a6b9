// Helper processes for PhimNN's tests, each a subcommand printing `key=value` lines:
//   ddp  --rank R --world W --port P --steps N --out FILE   one rank of data-parallel training (W=1: the whole batch)
//   leak --steps N                                         resident memory after 100 and after N training steps
// Run as separate processes because distributed ranks must be, and because resident memory is only
// meaningful in a process that runs nothing else.
import Foundation
import PhimCore
import PhimNN
import PhimTensor

func option(_ name: String, _ fallback: Int? = nil) -> Int {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--" + name), i + 1 < args.count, let value = Int(args[i + 1]) { return value }
    guard let fallback else { fail("missing --\(name)") }
    return fallback
}

func text(_ name: String) -> String {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count else { fail("missing --\(name)") }
    return args[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("PhimTensorWorker: \(message)\n".utf8))
    exit(1)
}

/// A small convolutional classifier.
final class SmallNet: Module, UnaryLayer {
    let conv: Conv2d
    let head: Linear

    override init() {
        conv = try! Conv2d(1, 4, kernelSize: 3, padding: 1)
        head = try! Linear(4 * 8 * 8, 3)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try head(conv(x).tanh().flatten(start: 1))
    }
}

/// Data-parallel training: rank r trains on rows r·B..<(r+1)·B of a fixed batch of W·B examples.
func runDistributed() throws {
    let rank = option("rank"), world = option("world"), steps = option("steps", 20), port = option("port", 0)
    let perRank = option("per-rank", 4)
    try Torch.setThreadCount(1)
    try Torch.manualSeed(UInt64(100 + rank))  // different initial weights per rank: DDP must broadcast rank 0's
    let model = SmallNet()
    let data = Generator(seed: 1)
    let total = perRank * option("total-ranks", world)
    let inputs = try Tensor.randn([total, 1, 8, 8], generator: data)
    let targets = try Tensor.randint(0, 3, [total], generator: data)
    let share = world == 1 ? 0..<total : (rank * perRank)..<((rank + 1) * perRank)
    let x = try inputs.narrow(dim: 0, start: share.lowerBound, length: share.count)
    let y = try targets.narrow(dim: 0, start: share.lowerBound, length: share.count)

    var ddp: DistributedDataParallel?
    if world > 1 {
        let group = try ProcessGroup(host: "127.0.0.1", port: port, rank: rank, worldSize: world, timeout: 60)
        ddp = try DistributedDataParallel(model, group: group)
    } else {
        try Torch.manualSeed(100)  // the weights rank 0 would broadcast
        try model.load(stateDict: Dictionary(uniqueKeysWithValues: SmallNet().stateDict()))
    }
    let optimizer = SGD(model.namedParameters(), learningRate: 0.1, momentum: 0.9)
    for _ in 0..<steps {
        try optimizer.zeroGrad()
        try crossEntropy(model(x), y).backward()
        try ddp?.averageGradients()
        try optimizer.step()
    }
    try Safetensors.write(model.stateDict(), to: text("out"))
    print("rank=\(rank) steps=\(steps)")
}

/// Resident set size in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Trains the small network with Adam for `steps` steps, measuring memory after step 100 and at the end.
func runLeakCheck() throws {
    let steps = option("steps", 1000)
    try Torch.setThreadCount(1)
    try Torch.manualSeed(3)
    let model = SmallNet()
    let optimizer = Adam(model.namedParameters(), learningRate: 1e-3)
    let data = Generator(seed: 4)
    var after100 = 0
    for step in 1...steps {
        let x = try Tensor.randn([8, 1, 8, 8], generator: data)
        let y = try Tensor.randint(0, 3, [8], generator: data)
        try optimizer.zeroGrad()
        let loss = try crossEntropy(model(x), y)
        try loss.backward()
        try optimizer.step()
        _ = try loss.item()
        if step == 100 { after100 = residentBytes() }
    }
    print("rss100=\(after100) rss\(steps)=\(residentBytes())")
}

do {
    switch CommandLine.arguments.dropFirst().first {
    case "ddp": try runDistributed()
    case "leak": try runLeakCheck()
    default: fail("usage: PhimTensorWorker ddp|leak [options]")
    }
} catch {
    fail("\(error)")
}
