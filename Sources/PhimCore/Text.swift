import Foundation

extension String {
    /// The text in Unicode normalisation form C, so that a Vietnamese letter typed as base + combining marks
    /// (`e` + U+0302 + U+0301) and the precomposed letter (`ế`) shape, wrap and compare alike.
    public var nfc: String { precomposedStringWithCanonicalMapping }
}

extension URL {
    /// The path as the user wrote it (relative paths stay relative), for messages.
    public var displayPath: String { isFileURL ? relativePath : absoluteString }
}
