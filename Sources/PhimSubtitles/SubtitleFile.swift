import Foundation
import PhimCore

/// One subtitle: text shown from `start` to `end` seconds.
public struct SubtitleCue: Sendable, Hashable {
    public var start: Double
    public var end: Double
    /// The text, NFC-normalised, lines separated by `\n`, markup removed.
    public var text: String
    /// The cue's words and when each is spoken, in order, when known (from speech synthesis, or a WebVTT file with
    /// inline timestamps); empty otherwise. Their texts are the whitespace-separated tokens of ``text``.
    public var words: [SpokenWord]

    /// - Parameters:
    ///   - start: when the cue appears, in seconds.
    ///   - end: when it disappears.
    ///   - text: its lines, separated by `\n`.
    ///   - words: the timed words of `text`, or none.
    public init(start: Double, end: Double, text: String, words: [SpokenWord] = []) {
        self.start = start
        self.end = end
        self.text = text
        self.words = words
    }
}

/// Reads SubRip (`.srt`), WebVTT (`.vtt`) and ASS/SSA (`.ass`, `.ssa`) subtitle files.
///
/// Limits: files of at most ``maxFileBytes``, at most ``Limits/maxSubtitleCues`` cues of at most
/// ``Limits/maxTextCharacters`` characters each, times within ``Limits/maxDuration``.
public enum SubtitleFile {
    /// The largest subtitle file read, in bytes.
    public static let maxFileBytes = 20_000_000

    /// Parses the file at `url` (the format is told by its content: a `WEBVTT` header, an ASS `[Script Info]` or
    /// `[Events]` section, else SubRip).
    /// - Throws: `PhimError` naming the file and line for unreadable, non-UTF-8 or malformed content.
    public static func load(_ url: URL) throws(PhimError) -> [SubtitleCue] {
        let data = try InputFile.read(url, subject: .file(url.path), maxBytes: maxFileBytes)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw PhimError(.unreadableFile, "is not valid UTF-8 text", subject: .file(url.path))
        }
        return try parse(text, name: url.path)
    }

    /// Parses subtitle text.
    /// - Parameter name: the file name used in error messages.
    public static func parse(_ text: String, name: String) throws(PhimError) -> [SubtitleCue] {
        var body = text
        if body.hasPrefix("\u{FEFF}") { body.removeFirst() }
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let firstLine = lines.first { !$0.trimmingWhitespace().isEmpty }?.trimmingWhitespace().lowercased() ?? ""
        if firstLine == "[script info]" || firstLine == "[events]" || firstLine == "[v4+ styles]" || firstLine == "[v4 styles]" {
            return try parseASS(lines, name: name)
        }
        let isVTT = lines.first?.hasPrefix("WEBVTT") ?? false
        var cues: [SubtitleCue] = []
        var index = isVTT ? 1 : 0
        while index < lines.count {
            // Skip blank lines between blocks; WebVTT NOTE, STYLE and REGION blocks are skipped whole.
            if lines[index].trimmingWhitespace().isEmpty { index += 1; continue }
            if isVTT, ["NOTE", "STYLE", "REGION"].contains(where: { lines[index].hasPrefix($0) }) {
                while index < lines.count, !lines[index].trimmingWhitespace().isEmpty { index += 1 }
                continue
            }
            // An optional identifier line (SubRip's number, WebVTT's cue id) before the timing line.
            var timingLine = index
            if !lines[index].contains("-->") {
                timingLine += 1
                guard timingLine < lines.count, lines[timingLine].contains("-->") else {
                    throw PhimError(.invalidInput, "line \(index + 1): expected a timing line like '00:00:01,000 --> 00:00:02,000'",
                                    subject: .file(name))
                }
            }
            let parts = lines[timingLine].components(separatedBy: "-->")
            guard parts.count == 2,
                  let start = parseTime(parts[0].trimmingWhitespace()),
                  let end = parseTime(String(parts[1].trimmingWhitespace().split(separator: " ").first ?? "")) else {
                throw PhimError(.invalidInput, "line \(timingLine + 1): bad timing \(lines[timingLine].quoted())", subject: .file(name))
            }
            guard end >= start else {
                throw PhimError(.invalidInput, "line \(timingLine + 1): cue ends before it starts", subject: .file(name))
            }
            var rawLines: [String] = []
            index = timingLine + 1
            while index < lines.count, !lines[index].trimmingWhitespace().isEmpty {
                rawLines.append(lines[index])
                index += 1
            }
            let text = rawLines.map(stripMarkup).joined(separator: "\n").nfc
            let words = isVTT ? karaokeWords(rawLines, start: start, end: end) : []
            guard end > start else { continue }  // a cue that lasts no time is never shown
            try append(SubtitleCue(start: start, end: end, text: text, words: words), to: &cues, line: timingLine + 1, name: name)
        }
        return cues.sorted { $0.start < $1.start }
    }

    /// Adds a cue after checking it against the limits.
    private static func append(_ cue: SubtitleCue, to cues: inout [SubtitleCue], line: Int, name: String) throws(PhimError) {
        guard cue.end <= Limits.maxDuration else {
            throw PhimError(.limitExceeded, "line \(line): the cue ends after 24 hours", subject: .file(name))
        }
        let characters = cue.text.unicodeScalars.count
        guard characters <= Limits.maxTextCharacters else {
            throw PhimError(.limitExceeded, "line \(line): the cue has \(characters) characters; at most \(Limits.maxTextCharacters)",
                            subject: .file(name))
        }
        guard cues.count < Limits.maxSubtitleCues else {
            throw PhimError(.limitExceeded, "line \(line): more than \(Limits.maxSubtitleCues) cues", subject: .file(name))
        }
        cues.append(cue)
    }

    // MARK: ASS / SSA

    /// The `Dialogue:` lines of an ASS or SSA script's `[Events]` section, in the order its `Format:` line gives
    /// (Start, End and Text are used); override tags are dropped, `\N` breaks lines, `{\k}` karaoke tags time words.
    static func parseASS(_ lines: [String], name: String) throws(PhimError) -> [SubtitleCue] {
        var inEvents = false
        var fields: [String] = []
        var cues: [SubtitleCue] = []
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingWhitespace()
            if line.hasPrefix("[") {
                inEvents = line.lowercased() == "[events]"
                continue
            }
            guard inEvents else { continue }
            if line.lowercased().hasPrefix("format:") {
                fields = line.dropFirst("format:".count).split(separator: ",").map { String($0).trimmingWhitespace().lowercased() }
                continue
            }
            guard line.lowercased().hasPrefix("dialogue:") else { continue }
            guard let startField = fields.firstIndex(of: "start"), let endField = fields.firstIndex(of: "end"),
                  let textField = fields.firstIndex(of: "text"), textField == fields.count - 1 else {
                throw PhimError(.invalidInput, "line \(index + 1): a Dialogue line before a Format line with Start, End and Text (last)",
                                subject: .file(name))
            }
            let values = line.dropFirst("dialogue:".count).split(separator: ",", maxSplits: fields.count - 1,
                                                                     omittingEmptySubsequences: false).map(String.init)
            guard values.count == fields.count else {
                throw PhimError(.invalidInput, "line \(index + 1): expected \(fields.count) fields, found \(values.count)", subject: .file(name))
            }
            guard let start = parseTime(values[startField].trimmingWhitespace()),
                  let end = parseTime(values[endField].trimmingWhitespace()) else {
                throw PhimError(.invalidInput, "line \(index + 1): bad time \(values[startField].quoted()) or \(values[endField].quoted())",
                                subject: .file(name))
            }
            guard end >= start else { throw PhimError(.invalidInput, "line \(index + 1): cue ends before it starts", subject: .file(name)) }
            guard end > start else { continue }
            let (text, words) = assText(values[textField], start: start, end: end)
            guard !text.trimmingWhitespace().isEmpty else { continue }
            try append(SubtitleCue(start: start, end: end, text: text.nfc, words: words), to: &cues, line: index + 1, name: name)
        }
        return cues.sorted { $0.start < $1.start }
    }

    /// An ASS event's text without override blocks, with its karaoke words when `{\k…}` tags time them.
    /// - Complexity: O(n) in the length of the text.
    static func assText(_ raw: String, start: Double, end: Double) -> (String, [SpokenWord]) {
        var text = ""
        var words: [SpokenWord] = []
        var wordStart = start, nextStart = start
        var wordText = ""
        var timed = false
        func finishWord() {
            let trimmed = wordText.trimmingWhitespace().nfc
            if !trimmed.isEmpty { words.append(SpokenWord(text: trimmed, start: min(wordStart, end), end: min(nextStart, end))) }
            wordText = ""
        }
        var rest = Substring(raw)
        while let character = rest.first {
            if character == "{", let close = rest.firstIndex(of: "}") {
                let block = rest[rest.index(after: rest.startIndex)..<close]
                // \k, \K, \kf, \ko: the next syllable lasts this many centiseconds.
                for tag in block.split(separator: "\\") {
                    let lowered = tag.lowercased()
                    let digits = lowered.drop { $0 == "k" || $0 == "f" || $0 == "o" }
                    guard lowered.hasPrefix("k"), !digits.isEmpty, let centiseconds = Double(digits), centiseconds.isFinite,
                          centiseconds >= 0 else { continue }
                    finishWord()
                    timed = true
                    wordStart = nextStart
                    nextStart = wordStart + centiseconds / 100
                }
                rest = rest[rest.index(after: close)...]
                continue
            }
            if character == "\\", rest.index(after: rest.startIndex) < rest.endIndex {
                let escape = rest[rest.index(after: rest.startIndex)]
                if escape == "N" || escape == "n" || escape == "h" {
                    let replacement: Character = escape == "h" ? "\u{00A0}" : "\n"
                    text.append(replacement)
                    wordText.append(" ")
                    rest = rest.dropFirst(2)
                    continue
                }
            }
            text.append(character)
            wordText.append(character)
            rest.removeFirst()
        }
        finishWord()
        return (text, timed ? words : [])
    }

    /// `HH:MM:SS,mmm`, `HH:MM:SS.mmm`, `H:MM:SS.cc` (ASS) or `MM:SS.mmm` in seconds; nil when malformed or past
    /// ``Limits/maxDuration``.
    static func parseTime(_ text: String) -> Double? {
        guard text.utf8.count <= 32 else { return nil }
        let fields = text.replacingOccurrences(of: ",", with: ".").split(separator: ":")
        guard (2...3).contains(fields.count) else { return nil }
        var seconds = 0.0
        for (position, field) in fields.enumerated() {
            let isLast = position == fields.count - 1
            guard let value = Double(field), value >= 0, field.allSatisfy({ $0.isNumber || $0 == "." }),
                  isLast || !field.contains(".") else { return nil }
            if !isLast && position > 0 && value >= 60 { return nil }
            seconds = seconds * 60 + value
        }
        return seconds <= Limits.maxDuration ? seconds : nil
    }

    /// The words of a WebVTT cue with inline timestamps (`Never <00:00:19.500>drink`): each word starts at the timestamp
    /// before it (the cue start for words before the first timestamp) and ends where the next word starts (the last at
    /// the cue end). Empty when the cue has no inline timestamp.
    /// - Complexity: O(n) in the length of the cue text.
    static func karaokeWords(_ lines: [String], start: Double, end: Double) -> [SpokenWord] {
        guard lines.contains(where: { $0.contains("<") }) else { return [] }
        var words: [(text: String, start: Double)] = []
        var sawTimestamp = false
        var time = start
        var token = ""
        var tokenStart: Double?   // set by the token's first visible character
        func finishToken() {
            let text = stripMarkup(token).nfc
            if !text.isEmpty { words.append((text, tokenStart ?? time)) }
            token = ""
            tokenStart = nil
        }
        for line in lines {
            var rest = Substring(line)
            while let character = rest.first {
                if character == "<", let close = rest.firstIndex(of: ">") {
                    let tag = rest[rest.index(after: rest.startIndex)..<close]
                    if let stamp = parseTime(String(tag)) {
                        sawTimestamp = true
                        time = min(max(stamp, start), end)
                    } else {
                        token += rest[...close]
                    }
                    rest = rest[rest.index(after: close)...]
                    continue
                }
                if character.isWhitespace {
                    finishToken()
                } else {
                    if tokenStart == nil { tokenStart = time }
                    token.append(character)
                }
                rest.removeFirst()
            }
            finishToken()
        }
        guard sawTimestamp else { return [] }
        return words.indices.map { index in
            SpokenWord(text: words[index].text, start: words[index].start,
                       end: index + 1 < words.count ? words[index + 1].start : end)
        }
    }

    /// Drops `<i>`-style tags and `{\an8}`-style overrides.
    static func stripMarkup(_ line: String) -> String {
        var result = ""
        var depthAngle = 0, depthBrace = 0
        for character in line {
            switch character {
            case "<": depthAngle += 1
            case ">" where depthAngle > 0: depthAngle -= 1
            case "{" where line.contains("{\\"): depthBrace += 1
            case "}" where depthBrace > 0: depthBrace -= 1
            default: if depthAngle == 0 && depthBrace == 0 { result.append(character) }
            }
        }
        return result.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&nbsp;", with: "\u{00A0}")
    }
}
