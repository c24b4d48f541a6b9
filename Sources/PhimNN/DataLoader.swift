import Foundation
import PhimCore
import PhimTensor

/// Batches of a data set, built on background threads ahead of use, in a deterministic order.
///
/// Each epoch visits the examples `0..<count` in an order that depends only on `seed` and the epoch
/// (shuffled with SplitMix64 and Fisher–Yates, or in order), cut into batches of `batchSize`.
/// `makeBatch` builds a batch from its example indices on one of `workers` threads; it also gets a seed
/// for that batch (from `seed`, the epoch and the batch index) for random augmentation, so the batches
/// are the same whatever the thread timing. Up to `prefetch` batches wait ready ahead of the consumer.
///
/// ```swift
/// let loader = DataLoader(count: 60_000, batchSize: 64, seed: 1) { indices, _ in try makeBatch(indices) }
/// for epoch in 0..<10 {
///     let batches = loader.batches(epoch: epoch)
///     while let batch = try batches.next() { … }
/// }
/// ```
public struct DataLoader<Batch>: Sendable {
    public let count: Int
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64
    public let dropLast: Bool
    public let workers: Int
    public let prefetch: Int
    let makeBatch: @Sendable (_ indices: [Int], _ batchSeed: UInt64) throws -> Batch

    public init(
        count: Int, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false, workers: Int = 2,
        prefetch: Int = 4, makeBatch: @escaping @Sendable (_ indices: [Int], _ batchSeed: UInt64) throws -> Batch
    ) {
        precondition(count >= 0 && batchSize > 0 && workers > 0 && prefetch > 0, "DataLoader needs count ≥ 0, batchSize, workers, prefetch > 0")
        self.count = count
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.workers = workers
        self.prefetch = prefetch
        self.makeBatch = makeBatch
    }

    /// The number of batches in an epoch.
    public var batchCount: Int { dropLast ? count / batchSize : (count + batchSize - 1) / batchSize }

    /// The example indices of an epoch, in visiting order.
    public func order(epoch: Int) -> [Int] {
        var indices = Array(0..<count)
        guard shuffle else { return indices }
        var random = SplitMix64(seed: mix(seed, UInt64(epoch), 0x5eed))
        if indices.count > 1 {
            for i in stride(from: indices.count - 1, to: 0, by: -1) {
                let j = Int(random.next() % UInt64(i + 1))
                indices.swapAt(i, j)
            }
        }
        return indices
    }

    /// The example indices of each batch of an epoch.
    public func batchIndices(epoch: Int) -> [[Int]] {
        let order = order(epoch: epoch)
        return (0..<batchCount).map { b in Array(order[(b * batchSize)..<Swift.min(order.count, (b + 1) * batchSize)]) }
    }

    /// Starts building the batches of `epoch` in the background; read them with `next()`.
    public func batches(epoch: Int) -> BatchIterator {
        let plan = batchIndices(epoch: epoch)
        let seeds = plan.indices.map { mix(seed, UInt64(epoch), UInt64($0)) }
        return BatchIterator(plan: plan, seeds: seeds, workers: workers, prefetch: prefetch, makeBatch: makeBatch)
    }

    /// The batches of one epoch, delivered in order. Stopping early (dropping the iterator) stops the workers.
    public final class BatchIterator {
        let queue: PrefetchQueue<Batch>
        var nextIndex = 0

        init(plan: [[Int]], seeds: [UInt64], workers: Int, prefetch: Int,
             makeBatch: @escaping @Sendable ([Int], UInt64) throws -> Batch) {
            queue = PrefetchQueue(total: plan.count, prefetch: prefetch)
            let queue = self.queue
            for w in 0..<Swift.min(workers, Swift.max(1, plan.count)) {
                let thread = Thread {
                    var index = w
                    while index < plan.count, queue.waitForRoom(index) {
                        let result = Result { try makeBatch(plan[index], seeds[index]) }
                        queue.put(index, Transfer(result))
                        index += workers
                    }
                }
                thread.name = "phim.dataloader.\(w)"
                thread.start()
            }
        }

        deinit {
            queue.cancel()
        }

        /// The next batch, or nil after the last; rethrows an error from `makeBatch`.
        public func next() throws -> Batch? {
            guard nextIndex < queue.total else { return nil }
            let result = queue.take(nextIndex).value
            nextIndex += 1
            return try result.get()
        }
    }
}

/// Carries a batch (whose tensors are not `Sendable`) from the worker that built it to the consumer.
/// `@unchecked Sendable`: the worker gives up the value when it puts it in the queue and never touches it
/// again, so exactly one thread uses it at a time.
final class Transfer<Value>: @unchecked Sendable {
    let value: Result<Value, any Error>
    init(_ value: Result<Value, any Error>) { self.value = value }
}

/// The ready batches, keyed by index, with room for `prefetch` beyond the consumer's position.
/// `@unchecked Sendable`: every field is read and written under `condition`'s lock.
final class PrefetchQueue<Value>: @unchecked Sendable {
    let total: Int
    let prefetch: Int
    private let condition = NSCondition()
    private var ready: [Int: Transfer<Value>] = [:]
    private var consumed = 0
    private var cancelled = false

    init(total: Int, prefetch: Int) {
        self.total = total
        self.prefetch = prefetch
    }

    /// Blocks until batch `index` may be built; false when the consumer has gone.
    func waitForRoom(_ index: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled && index >= consumed + prefetch { condition.wait() }
        return !cancelled
    }

    func put(_ index: Int, _ value: Transfer<Value>) {
        condition.lock()
        if !cancelled { ready[index] = value }
        condition.broadcast()
        condition.unlock()
    }

    func take(_ index: Int) -> Transfer<Value> {
        condition.lock()
        defer { condition.unlock() }
        while ready[index] == nil { condition.wait() }
        let value = ready.removeValue(forKey: index)!
        consumed = index + 1
        condition.broadcast()
        return value
    }

    func cancel() {
        condition.lock()
        cancelled = true
        ready = [:]
        condition.broadcast()
        condition.unlock()
    }
}

/// Combines seeds into one, so that neighbouring inputs give unrelated outputs.
func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
    var g = SplitMix64(seed: a)
    var h = SplitMix64(seed: g.next() ^ b)
    var k = SplitMix64(seed: h.next() ^ c)
    return k.next()
}

/// A read-only tensor shared with data-loading threads.
/// `@unchecked Sendable`: libtorch allows concurrent reads of a tensor; nothing writes to this one while it is shared.
public final class SharedTensor: @unchecked Sendable {
    public let tensor: Tensor
    public init(_ tensor: Tensor) throws(TensorError) {
        self.tensor = try withNoGrad { () throws(TensorError) -> Tensor in try tensor.detach().contiguous() }
    }
}

extension DataLoader where Batch == (Tensor, Tensor) {
    /// Batches of rows (along the first dimension) of `inputs` and `targets`.
    public static func tensors(
        _ inputs: Tensor, _ targets: Tensor, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false,
        workers: Int = 1, prefetch: Int = 4
    ) throws -> DataLoader<(Tensor, Tensor)> {
        let n = try inputs.size(0)
        guard try targets.size(0) == n else {
            throw TensorError(.invalidArgument, "\(n) inputs but \(try targets.size(0)) targets")
        }
        let x = try SharedTensor(inputs)
        let y = try SharedTensor(targets)
        return DataLoader(count: n, batchSize: batchSize, shuffle: shuffle, seed: seed, dropLast: dropLast, workers: workers,
                          prefetch: prefetch) { indices, _ in
            let index = try Tensor(indices.map { Int64($0) })
            return (try x.tensor.indexSelect(dim: 0, index: index), try y.tensor.indexSelect(dim: 0, index: index))
        }
    }
}
