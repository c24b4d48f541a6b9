import Foundation

/// An `AsyncSequence` whose elements are produced by blocking code on a dedicated thread (decoding, reading),
/// at most `bufferSize` ahead of the consumer: the producer waits while the buffer is full, so a slow consumer
/// never makes it hold a whole video in memory. When the consumer stops iterating, the producer is told to stop.
public struct BackgroundSequence<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    private let bufferSize: Int
    private let threadName: String
    private let produce: @Sendable (_ yield: (Element) -> Bool) throws -> Void

    /// - Parameters:
    ///   - bufferSize: how many elements may wait for the consumer.
    ///   - threadName: the producer thread's name.
    ///   - produce: runs on the producer thread; calls `yield` for each element and stops when it returns `false`
    ///     (the consumer went away). Throwing ends the sequence with that error.
    public init(bufferSize: Int = 4, threadName: String,
                produce: @escaping @Sendable (_ yield: (Element) -> Bool) throws -> Void) {
        self.bufferSize = Swift.max(1, bufferSize)
        self.threadName = threadName
        self.produce = produce
    }

    public func makeAsyncIterator() -> Iterator {
        let (stream, continuation) = AsyncThrowingStream<Element, any Error>.makeStream()
        let credits = DispatchSemaphore(value: bufferSize)
        let state = ProducerState()
        continuation.onTermination = { _ in
            state.stop()
            credits.signal()
        }
        let produce = self.produce
        startWorkerThread(named: threadName) {
            do {
                try produce { element in
                    credits.wait()
                    guard !state.isStopped else { return false }
                    if case .terminated = continuation.yield(element) { return false }
                    return true
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return Iterator(inner: stream.makeAsyncIterator(), credits: credits, state: state)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var inner: AsyncThrowingStream<Element, any Error>.Iterator
        let credits: DispatchSemaphore
        let state: ProducerState

        public mutating func next() async throws -> Element? {
            let element = try await inner.next()
            if element != nil { credits.signal() } else { state.stop() }
            return element
        }
    }

    /// Whether the producer should stop. `@unchecked Sendable`: guarded by a lock.
    public final class ProducerState: @unchecked Sendable {
        private let lock = NSLock()
        private var stopped = false
        var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
        func stop() { lock.lock(); stopped = true; lock.unlock() }
    }
}
