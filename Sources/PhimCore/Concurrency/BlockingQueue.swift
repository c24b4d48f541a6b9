import Foundation

/// A bounded first-in-first-out queue between threads: `push` blocks while it is full, `pop` blocks while it is
/// empty. This is the back-pressure between Phim's decode, compose and encode stages, so that no stage runs
/// ahead and holds a video in memory.
///
/// `@unchecked Sendable`: all state is guarded by `condition`.
public final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    public let capacity: Int
    /// A ring of `capacity` slots; a slot is emptied as soon as its item is taken, so the queue never keeps a
    /// consumed item (a frame) alive.
    private var slots: [Element?]
    private var head = 0
    private var count = 0
    private var closed = false
    private var failure: PhimError?
    private let condition = NSCondition()

    /// - Parameter capacity: how many items may wait; at least 1.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        slots = Array(repeating: nil, count: self.capacity)
    }

    /// Adds an item, waiting for room.
    /// - Returns: `false` if the queue was closed (the consumer gave up); the item is dropped.
    @discardableResult
    public func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed && count >= capacity { condition.wait() }
        guard !closed else { return false }
        slots[(head + count) % capacity] = item
        count += 1
        condition.broadcast()
        return true
    }

    /// Takes the oldest item, waiting for one.
    /// - Returns: `nil` when the queue is closed and drained.
    /// - Throws: the error the producer closed the queue with, once the items before it are taken.
    public func pop() throws(PhimError) -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        if count > 0 {
            let item = slots[head].take()
            head = (head + 1) % capacity
            count -= 1
            condition.broadcast()
            return item
        }
        if let failure { throw failure }
        return nil
    }

    /// Ends the queue: consumers drain what is left then see the end (or `error`); producers stop.
    public func close(error: PhimError? = nil) {
        condition.lock()
        if !closed {
            closed = true
            failure = error
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Ends the queue now, dropping what is waiting (the consumer side giving up).
    public func cancel() {
        condition.lock()
        closed = true
        for index in slots.indices { slots[index] = nil }
        head = 0
        count = 0
        condition.broadcast()
        condition.unlock()
    }
}

/// Starts `body` on a dedicated thread (not Swift's cooperative pool): for blocking C work such as decoding
/// and encoding. The thread has a name, which shows in debuggers and `top -H`.
public func startWorkerThread(named name: String, stackSize: Int = 4 << 20, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        // Foundation does not pass `name` on to the system.
        setThreadName(name)
        body()
    }
    thread.name = name
    thread.stackSize = stackSize
    thread.start()
}

/// Runs blocking work (decoding, encoding, synthesis) on ``BlockingPool/shared`` and awaits its result, keeping Swift's
/// cooperative pool free. When the awaiting task is cancelled, `cancellation` is set, so the work (which checks it)
/// stops with `.cancelled`; work still waiting for a thread is dropped and the call returns `.cancelled` at once.
/// - Parameters:
///   - name: what the work is, for the thread's name while it runs.
///   - cancellation: the flag the work checks; set when the task is cancelled.
///   - pool: the threads to run it on.
public func runBlocking<T: Sendable>(
    named name: String, cancellation: CancellationFlag? = nil, pool: BlockingPool = .shared,
    _ body: @escaping @Sendable () throws(PhimError) -> T
) async throws(PhimError) -> T {
    let pending = PendingBlockingWork<T>()
    let result: Result<T, PhimError> = await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            guard pending.wait(with: continuation) else { return }
            pool.run(named: name) {
                guard pending.start() else { return }
                pending.finish(Result { () throws(PhimError) -> T in try body() })
            }
        }
    } onCancel: {
        cancellation?.cancel()
        pending.abandon()
    }
    return try result.get()
}

/// One `runBlocking` call's hand-over between the awaiting task, the pool thread and cancellation: the continuation
/// is resumed exactly once, by the work when it ran, or by cancellation when the work had not started.
///
/// `@unchecked Sendable`: all state is guarded by `lock`.
private final class PendingBlockingWork<T: Sendable>: @unchecked Sendable {
    private enum State { case queued, running, abandoned }
    private let lock = NSLock()
    private var state = State.queued
    private var continuation: CheckedContinuation<Result<T, PhimError>, Never>?

    static var cancelled: Result<T, PhimError> { .failure(PhimError(.cancelled, "cancelled")) }

    /// Keeps `continuation` for the work; `false` (having resumed it) if the task was cancelled before.
    func wait(with continuation: CheckedContinuation<Result<T, PhimError>, Never>) -> Bool {
        lock.lock()
        guard state == .queued else {
            lock.unlock()
            continuation.resume(returning: Self.cancelled)
            return false
        }
        self.continuation = continuation
        lock.unlock()
        return true
    }

    /// Called on the pool thread: `false` if the work was abandoned while it waited.
    func start() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard state == .queued else { return false }
        state = .running
        return true
    }

    func finish(_ result: Result<T, PhimError>) {
        lock.lock()
        let continuation = self.continuation
        self.continuation = nil
        lock.unlock()
        continuation?.resume(returning: result)
    }

    /// The task was cancelled: work that has not started never will, and the task resumes now.
    func abandon() {
        lock.lock()
        guard state == .queued else {
            lock.unlock()
            return
        }
        state = .abandoned
        let continuation = self.continuation
        self.continuation = nil
        lock.unlock()
        continuation?.resume(returning: Self.cancelled)
    }
}

/// A fixed set of threads for blocking work, fed in order: a server running many jobs, or tests running many
/// renders at once, start at most ``threadCount`` at a time instead of a thread per call. (Long jobs start their own
/// pipeline threads for decoding, composing and mixing; the pool bounds how many jobs run.)
///
/// `@unchecked Sendable`: the queue is guarded by `condition`.
public final class BlockingPool: @unchecked Sendable {
    /// The pool `runBlocking` uses: as many threads as cores, at least four.
    public static let shared = BlockingPool(threadCount: max(4, ProcessInfo.processInfo.activeProcessorCount))

    public let threadCount: Int
    private let condition = NSCondition()
    private var jobs: [(name: String, work: @Sendable () -> Void)] = []
    private var head = 0

    public init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        for index in 0..<self.threadCount {
            startWorkerThread(named: "phim-pool-\(index)") { [self] in serve() }
        }
    }

    /// Queues `work`; a free thread runs it.
    public func run(named name: String, _ work: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append((name, work))
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 64, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            setThreadName(job.name)
            job.work()
        }
    }
}

/// Names the calling thread for the system (`top -H`, debuggers, `/proc`); Linux keeps 15 bytes of it.
func setThreadName(_ name: String) {
    #if os(Linux)
    // pthread_setname_np and prctl cannot be called from Swift here, so through /proc.
    let comm = open("/proc/thread-self/comm", O_WRONLY)
    if comm >= 0 {
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(comm, $0.baseAddress, $0.count) }
        close(comm)
    }
    #endif
}
