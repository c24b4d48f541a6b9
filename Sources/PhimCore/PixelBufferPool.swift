import Foundation

/// Recycles pixel buffers of one size between threads, so a render allocates a handful of frames rather than one
/// per frame (a 1080p frame is 8 MB, and fresh memory costs page faults on first touch).
///
/// `@unchecked Sendable`: the free list is guarded by a lock.
public final class PixelBufferPool: @unchecked Sendable {
    public let size: PixelSize
    public let format: PixelFormat
    private var free: [PixelBuffer] = []
    private let lock = NSLock()
    private let limit: Int

    /// - Parameter limit: how many idle buffers the pool keeps at most.
    public init(size: PixelSize, format: PixelFormat = .bgraPremultiplied, limit: Int = 8) {
        self.size = size
        self.format = format
        self.limit = limit
    }

    /// A buffer of the pool's size and format, with unspecified content.
    public func take() -> PixelBuffer {
        lock.lock()
        let reused = free.popLast()
        lock.unlock()
        return reused ?? PixelBuffer(size: size, format: format, zeroed: false)
    }

    /// Takes a buffer back for reuse, leaving `nil` in its place. Buffers of another size or format, or still
    /// shared with another value, are simply released.
    public func recycle(_ slot: inout PixelBuffer?) {
        defer { slot = nil }
        guard slot?.size == size, slot?.format == format, slot?.isUniquelyOwned() == true, let buffer = slot else { return }
        lock.lock()
        if free.count < limit { free.append(buffer) }
        lock.unlock()
    }
}
