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
        let state = ProducerState(credits: bufferSize)
        continuation.onTermination = { _ in state.stop() }
        let produce = self.produce
        startWorkerThread(named: threadName) {
            do {
                try produce { element in
                    guard state.takeCredit() else { return false }
                    if case .terminated = continuation.yield(element) { return false }
                    return true
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return Iterator(inner: stream.makeAsyncIterator(), state: state)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var inner: AsyncThrowingStream<Element, any Error>.Iterator
        let state: ProducerState

        public mutating func next() async throws -> Element? {
            let element = try await inner.next()
            if element != nil { state.giveCredit() } else { state.stop() }
            return element
        }
    }

    /// How far ahead the producer may run, and whether it should stop.
    /// `@unchecked Sendable`: guarded by `condition`.
    public final class ProducerState: @unchecked Sendable {
        private let condition = NSCondition()
        private var credits: Int
        private var stopped = false

        init(credits: Int) { self.credits = credits }

        /// Waits for room in the buffer; `false` once the consumer has gone.
        func takeCredit() -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while credits == 0 && !stopped { condition.wait() }
            guard !stopped else { return false }
            credits -= 1
            return true
        }

        func giveCredit() {
            condition.lock()
            credits += 1
            condition.signal()
            condition.unlock()
        }

        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
