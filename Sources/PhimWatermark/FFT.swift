internal import CFFmpeg

/// A complex FFT of one length, by libavutil's `av_tx` (the FFT FFmpeg's own filters use).
final class FFT {
    let length: Int
    private var context: OpaquePointer?
    private let transform: av_tx_fn
    private var input: [AVComplexFloat]
    private var output: [AVComplexFloat]

    /// - Precondition: `length` is a power of two times 1, 3, 5 or 15 (see ``FFT/smoothLength(atMost:)``); other
    ///   lengths work but FFmpeg 5.1 transforms them by the O(n²) definition.
    init(length: Int, inverse: Bool = false) {
        self.length = length
        var context: OpaquePointer?
        var transform: av_tx_fn?
        var scale: Float = 1
        // Unaligned: Swift arrays are 16-byte aligned, not the 32 bytes the AVX code wants by default.
        let status = av_tx_init(&context, &transform, AV_TX_FLOAT_FFT, inverse ? 1 : 0, Int32(length), &scale,
                                UInt64(AV_TX_UNALIGNED.rawValue))
        precondition(status >= 0 && transform != nil, "av_tx_init failed for length \(length)")
        self.context = context
        self.transform = transform!
        input = Array(repeating: AVComplexFloat(re: 0, im: 0), count: length)
        output = input
    }

    deinit { av_tx_uninit(&context) }

    /// Transforms `count` = ``length`` complex values read from `re`/`im` at `offset + i * step` and writes the
    /// result back in place.
    func callAsFunction(re: UnsafeMutablePointer<Float>, im: UnsafeMutablePointer<Float>, offset: Int, step: Int) {
        // One exclusive access to each buffer a call (not one an element: they are a class's properties).
        input.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                for i in 0..<length { input[i] = AVComplexFloat(re: re[offset + i * step], im: im[offset + i * step]) }
                transform(context, output.baseAddress, input.baseAddress, MemoryLayout<AVComplexFloat>.stride)
                for i in 0..<length {
                    re[offset + i * step] = output[i].re
                    im[offset + i * step] = output[i].im
                }
            }
        }
    }

    /// The largest length at most `n` that `av_tx` transforms fast: a power of two times 1, 3, 5 or 15.
    static func smoothLength(atMost n: Int) -> Int {
        var best = 1
        for factor in [1, 3, 5, 15] {
            var length = factor
            while length * 2 <= n { length *= 2 }
            if length <= n { best = max(best, length) }
        }
        return best
    }
}

/// A two-dimensional FFT of `rows`×`columns` complex values stored row-major in two arrays.
public struct FFT2D {
    public let rows: Int
    public let columns: Int
    private let rowFFT: FFT
    private let columnFFT: FFT

    public init(rows: Int, columns: Int, inverse: Bool = false) {
        self.rows = rows
        self.columns = columns
        rowFFT = FFT(length: columns, inverse: inverse)
        columnFFT = rows == columns ? rowFFT : FFT(length: rows, inverse: inverse)
    }

    public func callAsFunction(re: inout [Float], im: inout [Float]) {
        re.withUnsafeMutableBufferPointer { re in
            im.withUnsafeMutableBufferPointer { im in
                for r in 0..<rows { rowFFT(re: re.baseAddress!, im: im.baseAddress!, offset: r * columns, step: 1) }
                for c in 0..<columns { columnFFT(re: re.baseAddress!, im: im.baseAddress!, offset: c, step: columns) }
            }
        }
    }
}
