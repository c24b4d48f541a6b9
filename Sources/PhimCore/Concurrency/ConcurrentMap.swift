import Foundation

extension RandomAccessCollection where Index == Int {
    /// `map`, with the elements transformed on up to `maxConcurrency` threads at once (blocking work: speaking,
    /// decoding), the results in the collection's order.
    ///
    /// Every element is transformed, even after one throws (work already started is not abandoned halfway); then the
    /// error of the lowest-indexed element that threw is thrown.
    /// - Parameters:
    ///   - maxConcurrency: threads at most (default: the active processor count); 1 runs on the calling thread.
    ///   - transform: called once per element, from several threads at a time; it must be safe to call so.
    /// - Complexity: the transforms' cost divided among the threads.
    public func concurrentMap<T, E: Error>(maxConcurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
                                           _ transform: (Element) throws(E) -> T) throws(E) -> [T] {
        let count = self.count
        guard count > 1, maxConcurrency > 1 else {
            var results: [T] = []
            results.reserveCapacity(count)
            for element in self { results.append(try transform(element)) }
            return results
        }
        let slots = ResultSlots<T, E>(count: count)
        let workers = Swift.min(maxConcurrency, count)
        let start = startIndex
        withoutActuallyEscaping(transform) { transform in
            let box = UncheckedSendable(transform), elements = UncheckedSendable(self)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for offset in stride(from: worker, to: count, by: workers) {
                    do throws(E) {
                        slots.set(offset, .success(try box.value(elements.value[start + offset])))
                    } catch {
                        slots.set(offset, .failure(error))
                    }
                }
            }
        }
        return try slots.collect()
    }
}

/// One result per index, written from several threads, each slot by one thread only.
/// `@unchecked Sendable`: the slots are written under a lock and read after every writer has finished.
private final class ResultSlots<T, E: Error>: @unchecked Sendable {
    private var slots: [Result<T, E>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<T, E>) { lock.withLock { slots[index] = result } }

    func collect() throws(E) -> [T] {
        var values: [T] = []
        values.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .success(let value): values.append(value)
            case .failure(let error): throw error
            case nil: preconditionFailure("every index is transformed")
            }
        }
        return values
    }
}

/// A value handed to threads the caller knows may use it (a transform that is safe to call concurrently, a collection
/// only read).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
