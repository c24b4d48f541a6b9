import Foundation
import PhimCore

/// Recycles frame buffers between the compositor and the encoder, so a render allocates a handful of frames
/// rather than one per output frame (a 1080p frame is 8 MB).
///
/// `@unchecked Sendable`: the free list is guarded by a lock.
final class FramePool: @unchecked Sendable {
    let size: PixelSize
    private var free: [PixelBuffer] = []
    private let lock = NSLock()
    private let limit: Int

    init(size: PixelSize, limit: Int = 12) {
        self.size = size
        self.limit = limit
    }

    /// A buffer of the pool's size with unspecified content.
    func take() -> PixelBuffer {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? PixelBuffer(size: size)
    }

    /// Takes a buffer back for reuse, leaving `nil` in its place; shared or foreign buffers are dropped.
    func recycle(_ slot: inout PixelBuffer?) {
        defer { slot = nil }
        guard slot?.size == size, slot?.format == .bgraPremultiplied, slot?.isUniquelyOwned() == true,
              let buffer = slot else { return }
        lock.lock()
        if free.count < limit { free.append(buffer) }
        lock.unlock()
    }
}
