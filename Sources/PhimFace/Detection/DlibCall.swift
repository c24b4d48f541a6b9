import CDlib
import Foundation
import PhimCore

/// Calls into CDlib: pictures lent as `cdlib_image`, errors read from the message buffer.
enum DlibCall {
    static let errorCapacity = 512

    /// Runs `body` with a message buffer; a non-zero status becomes a `PhimError` saying what was being done.
    static func run(_ doing: String, subject: PhimError.Subject?,
                    _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws(PhimError) {
        var buffer = [CChar](repeating: 0, count: errorCapacity)
        let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, errorCapacity) }
        guard status == 0 else {
            throw PhimError(.operationFailed, "\(doing) failed: \(message(buffer))", subject: subject)
        }
    }

    /// Makes something with a message buffer; `nil` becomes a `PhimError`.
    static func make<T>(_ doing: String, code: PhimError.Code = .operationFailed, subject: PhimError.Subject?,
                        _ body: (UnsafeMutablePointer<CChar>, Int) -> T?) throws(PhimError) -> T {
        var buffer = [CChar](repeating: 0, count: errorCapacity)
        guard let made = buffer.withUnsafeMutableBufferPointer({ body($0.baseAddress!, errorCapacity) }) else {
            throw PhimError(code, "\(doing): \(message(buffer))", subject: subject)
        }
        return made
    }

    static func message(_ buffer: [CChar]) -> String {
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return text.isEmpty ? "dlib gave no reason" : text
    }

    /// Lends `picture`'s pixels to dlib as a `cdlib_image`.
    static func withImage<R>(_ picture: PixelBuffer, _ body: (cdlib_image) throws(PhimError) -> R) throws(PhimError) -> R {
        try picture.withUnsafeBytes { (bytes) throws(PhimError) -> R in
            let image = cdlib_image(pixels: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                    width: Int32(picture.width), height: Int32(picture.height),
                                    bytes_per_row: Int32(picture.bytesPerRow),
                                    byte_order: picture.format == .rgba ? 1 : 0)
            return try body(image)
        }
    }
}
