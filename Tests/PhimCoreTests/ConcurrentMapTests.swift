import Foundation
import PhimCore
import Testing

@Suite struct ConcurrentMapTests {
    @Test func resultsKeepTheCollectionsOrder() {
        let squares = Array(0..<100).concurrentMap(maxConcurrency: 4) { $0 * $0 }
        #expect(squares == (0..<100).map { $0 * $0 })
        #expect([Int]().concurrentMap { $0 } == [])
        #expect([7].concurrentMap { $0 + 1 } == [8])
    }

    /// Two elements meet at a rendezvous that only two threads at once can pass: a map on one thread would time out.
    @Test func elementsAreTransformedAtTheSameTime() {
        let arrived = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let met = [0, 1].concurrentMap(maxConcurrency: 2) { index -> Bool in
            arrived[index].signal()
            // The other element's signal comes only if it runs meanwhile.
            return arrived[1 - index].wait(timeout: .now() + 5) == .success
        }
        #expect(met == [true, true])
    }

    @Test func theFirstFailingElementsErrorIsThrownAfterEveryElementRan() {
        let ran = Counter()
        let error = #expect(throws: PhimError.self) {
            _ = try Array(0..<10).concurrentMap(maxConcurrency: 3) { (value) throws(PhimError) -> Int in
                ran.increment()
                if value == 4 || value == 7 { throw PhimError(.invalidInput, "element \(value)") }
                return value
            }
        }
        #expect(error?.message == "element 4")
        #expect(ran.value == 10)
    }
}

/// A counter shared by threads. `@unchecked Sendable`: guarded by a lock.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
