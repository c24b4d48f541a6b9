import Foundation
import PhimCore

/// Writes subtitle cues as SubRip, WebVTT (optionally with karaoke timestamps) or Advanced SubStation Alpha.
public enum SubtitleWriter {
    /// SubRip text: numbered blocks, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, the cue's lines, a blank line between blocks.
    public static func srt(_ cues: [SubtitleCue]) -> String {
        cues.enumerated().map { number, cue in
            "\(number + 1)\n\(timestamp(cue.start, separator: ",")) --> \(timestamp(cue.end, separator: ","))\n\(cue.text)\n"
        }.joined(separator: "\n")
    }

    /// WebVTT text: the `WEBVTT` header, then `HH:MM:SS.mmm --> HH:MM:SS.mmm` blocks; `&`, `<` and `>` are escaped.
    /// - Parameter karaoke: put an inline timestamp (`<00:00:01.500>`) before each word after the first, for cues whose
    ///   ``SubtitleCue/words`` match their text's tokens; ``SubtitleFile/parse(_:name:)`` reads them back.
    public static func webVTT(_ cues: [SubtitleCue], karaoke: Bool = false) -> String {
        let blocks = cues.map { cue in
            let body: String
            if karaoke, let lines = wordLines(cue) {
                var index = 0
                body = lines.map { line in
                    line.map { word in
                        defer { index += 1 }
                        return (index == 0 ? "" : "<\(timestamp(word.start, separator: "."))>") + escaped(word.text)
                    }.joined(separator: " ")
                }.joined(separator: "\n")
            } else {
                body = escaped(cue.text)
            }
            return "\(timestamp(cue.start, separator: ".")) --> \(timestamp(cue.end, separator: "."))\n\(body)\n"
        }
        return "WEBVTT\n\n" + blocks.joined(separator: "\n")
    }

    /// An ASS script for libass (FFmpeg's `subtitles` filter): `[Script Info]` with the video size, one `Default`
    /// style (white text on a dark outline, bottom centre), and one `Dialogue` line per cue with `\N` line breaks.
    /// Cues with timed words get `{\k<centiseconds>}` karaoke tags, so each word turns yellow as it is spoken.
    /// `{`, `}` and `\` in the text become `(`, `)` and `/`, since ASS has no escape for them.
    /// - Parameters:
    ///   - width: the video width (`PlayResX`); positions and sizes are in these pixels.
    ///   - height: the video height (`PlayResY`).
    ///   - fontName: a font family name, e.g. `DejaVu Sans`.
    ///   - fontSize: in pixels of `height`.
    ///   - karaoke: whether to write `\k` tags for cues with words.
    public static func ass(_ cues: [SubtitleCue], width: Int, height: Int, fontName: String, fontSize: Int,
                           karaoke: Bool = true) -> String {
        let outline = max(1, fontSize / 16)
        let margin = max(10, height / 18)
        var text = """
        [Script Info]
        ScriptType: v4.00+
        PlayResX: \(width)
        PlayResY: \(height)
        WrapStyle: 2
        ScaledBorderAndShadow: yes

        [V4+ Styles]
        Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
        Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
        MarginV, Encoding
        Style: Default,\(assText(fontName)),\(fontSize),&H0000FFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,\
        \(outline),0,2,\(margin),\(margin),\(margin),1

        [Events]
        Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text

        """
        for cue in cues {
            var body = ""
            if karaoke, let lines = wordLines(cue) {
                // Durations from rounded cumulative times, so rounding never drifts across a cue.
                func centiseconds(_ time: Double) -> Int { Int(((time - cue.start) * 100).rounded()) }
                let words = lines.flatMap { $0 }
                let lead = centiseconds(words[0].start)
                if lead > 0 { body += "{\\k\(lead)}" }
                var index = 0
                for (lineNumber, line) in lines.enumerated() {
                    if lineNumber > 0 { body += "\\N" }
                    for (position, word) in line.enumerated() {
                        let next = index + 1 < words.count ? words[index + 1].start : cue.end
                        let length = max(0, centiseconds(max(next, word.start)) - centiseconds(word.start))
                        body += (position > 0 ? " " : "") + "{\\k\(length)}" + assText(word.text)
                        index += 1
                    }
                }
            } else {
                body = cue.text.split(separator: "\n", omittingEmptySubsequences: false).map { assText(String($0)) }
                    .joined(separator: "\\N")
            }
            text += "Dialogue: 0,\(assTimestamp(cue.start)),\(assTimestamp(cue.end)),Default,,0,0,0,,\(body)\n"
        }
        return text
    }

    /// Writes subtitle text as UTF-8 through a temporary file renamed into place.
    /// - Throws: `PhimError` naming the file when its folder is missing or not writable.
    public static func write(_ text: String, to url: URL) throws(PhimError) {
        let output = try OutputFile(url)
        do { try Data(text.utf8).write(to: output.temporary) } catch {
            throw PhimError(.writeFailed, "cannot be written: \(error.localizedDescription)", subject: .file(url.displayPath))
        }
        try output.commit()
    }

    // MARK: Formatting

    /// `HH:MM:SS,mmm` (SubRip) or `HH:MM:SS.mmm` (WebVTT), rounded to the millisecond.
    static func timestamp(_ seconds: Double, separator: Character) -> String {
        let total = Int((max(0, seconds.isFinite ? seconds : 0) * 1000).rounded())
        let (hours, rest) = total.quotientAndRemainder(dividingBy: 3_600_000)
        let (minutes, rest2) = rest.quotientAndRemainder(dividingBy: 60_000)
        let (secs, millis) = rest2.quotientAndRemainder(dividingBy: 1000)
        return "\(pad(hours, 2)):\(pad(minutes, 2)):\(pad(secs, 2))\(separator)\(pad(millis, 3))"
    }

    /// `H:MM:SS.cc`, rounded to the centisecond.
    static func assTimestamp(_ seconds: Double) -> String {
        let total = Int((max(0, seconds.isFinite ? seconds : 0) * 100).rounded())
        let (hours, rest) = total.quotientAndRemainder(dividingBy: 360_000)
        let (minutes, rest2) = rest.quotientAndRemainder(dividingBy: 6000)
        let (secs, centis) = rest2.quotientAndRemainder(dividingBy: 100)
        return "\(hours):\(pad(minutes, 2)):\(pad(secs, 2)).\(pad(centis, 2))"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func assText(_ text: String) -> String {
        text.replacingOccurrences(of: "{", with: "(").replacingOccurrences(of: "}", with: ")")
            .replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: "\n", with: " ")
    }

    /// The cue's words arranged in its text's lines, or `nil` when it has no words or they do not match its tokens.
    private static func wordLines(_ cue: SubtitleCue) -> [[SpokenWord]]? {
        guard !cue.words.isEmpty else { return nil }
        var index = 0
        var lines: [[SpokenWord]] = []
        for line in cue.text.split(separator: "\n", omittingEmptySubsequences: false) {
            var words: [SpokenWord] = []
            for token in line.split(whereSeparator: \.isWhitespace) {
                guard index < cue.words.count, cue.words[index].text == String(token) else { return nil }
                words.append(cue.words[index])
                index += 1
            }
            if !words.isEmpty { lines.append(words) }
        }
        return index == cue.words.count ? lines : nil
    }
}
