import Foundation

/// The Scheme program Phim gives Festival, the text in it, and what Festival prints back.
///
/// The text reaches Festival only inside a Scheme string literal in a script file (never through a shell or a command
/// line), and the script prints Festival's own timings: the start and end of every item of the utterance's `Word`
/// relation (`word_start`, `word_end`: the first and last of its segments, whose ends the HTS engine sets from the
/// durations it generated), each with the index of the `Token` it came from.
enum FestivalScript {
    /// One word Festival said, on its own clock.
    struct Word: Sendable, Hashable {
        /// The index of the whitespace-separated token of the text that it belongs to.
        var token: Int
        /// Seconds from the start of the waveform.
        var start: Double
        var end: Double
    }

    /// The last line the script prints when everything before it succeeded (Festival exits with status 0 even when a
    /// Scheme error stops a script).
    static let doneLine = "phim-done"

    /// `text` as a Scheme string literal for Festival's SIOD reader: in double quotes, with every `\` and `"` escaped by
    /// a backslash, so no text can end the literal early. Control characters (line breaks, tabs, NUL) become spaces;
    /// anything else, including UTF-8, stays as it is.
    /// - Complexity: O(n) in the length of the text.
    static func schemeString(_ text: String) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": literal += "\\\\"
            case "\"": literal += "\\\""
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { literal += " " } else { literal.unicodeScalars.append(scalar) }
            }
        }
        return literal + "\""
    }

    /// How `token` is spelled for an English Festival voice, which reads ASCII only: letters lose their accents
    /// (`café` → `cafe`, `Nguyễn` → `Nguyen`), compatibility forms become plain ones (`ﬁ` → `fi`, `²` → `2`), a few
    /// letters are spelled out (`ß` → `ss`, `æ` → `ae`, `đ` → `d`), and typographic quotes, dashes and ellipses become
    /// their ASCII forms. Invisible characters (zero-width spaces, soft
    /// hyphens, control characters) are dropped.
    /// - Returns: the ASCII spelling (`-`, which Festival passes over in silence, when nothing is left), and the
    ///   characters that have none (Cyrillic, Chinese, emoji…), which Festival's English voices cannot say.
    static func asciiSpelling(_ token: String) -> (text: String, unsayable: [Character]) {
        var text = "", unsayable: [Character] = []
        for character in token {
            if character.isASCII {
                if let scalar = character.unicodeScalars.first, scalar.value >= 0x20, scalar.value != 0x7F { text.append(character) }
                continue
            }
            if let spelled = spellings[character] {
                text += spelled
                continue
            }
            let scalars = String(character).decomposedStringWithCompatibilityMapping.unicodeScalars
            if scalars.allSatisfy({ $0.properties.generalCategory == .format }) { continue }
            let base = scalars.filter { $0.properties.generalCategory != .nonspacingMark }
            if !base.isEmpty, base.allSatisfy(\.isASCII) {
                text.unicodeScalars.append(contentsOf: base)
            } else {
                unsayable.append(character)
            }
        }
        return (text.isEmpty ? "-" : text, unsayable)
    }

    /// Characters with an ASCII spelling that compatibility decomposition does not give.
    private static let spellings: [Character: String] = [
        "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
        "þ": "th", "Þ": "Th", "ł": "l", "Ł": "L", "ı": "i", "ĸ": "k",
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "ʼ": "'", "“": "\"", "”": "\"", "„": "\"", "‟": "\"", "″": "\"",
        "«": "\"", "»": "\"", "‹": "'", "›": "'", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "…": "...", "×": "x", "\u{00AD}": "",
    ]

    /// What selects `voice` in a running Festival and remembers its hts_engine settings (each request adds its rate
    /// to these, so rates never pile up).
    static func voiceSelection(_ voice: FestivalVoice) -> String {
        "(voice_\(voice.name))\n(set! phim_params hts_engine_params)\n"
    }

    /// The request that speaks `text` (ASCII, one space between tokens) with the voice selected last, writes `wave`
    /// in the working folder, and prints a line per token (`phim-token INDEX SPACED`, 1-based, SPACED 1 when
    /// whitespace came before it), a line per word (`phim-word TOKEN START END`) and ``doneLine``; then, even when a
    /// Scheme error stopped it, `phim-end NUMBER`, and flushes Festival's output (pipe mode buffers it).
    /// - Parameters:
    ///   - speed: how much faster than its natural pace the voice speaks (1 is natural): hts_engine's `-r` for HTS
    ///     voices, `Duration_Stretch` (its inverse) for the others.
    ///   - wave: the waveform's file name (letters, digits, `-` and `.`).
    ///   - number: the request's number, in its end line.
    static func request(text: String, speed: Double, wave: String, number: Int) -> String {
        let rate = String(format: "%.6f", speed), stretch = String(format: "%.6f", 1 / speed)
        return """
        (begin
          (if (eq? (Parameter.get 'Synth_Method) 'HTS)
              (set! hts_engine_params (append phim_params (list (list "-r" \(rate)))))
              (Parameter.set 'Duration_Stretch \(stretch)))
          (set! phim_utt (utt.synth (Utterance Text \(schemeString(text)))))
          (utt.save.wave phim_utt "\(wave)" 'riff)
          (set! phim_index 0)
          (define (phim_tokens token)
            (if token
                (begin
                  (set! phim_index (+ 1 phim_index))
                  (item.set_feat token "phim_token" phim_index)
                  (format t "phim-token %d %d\\n" phim_index (if (string-equal (item.feat token "whitespace") "") 0 1))
                  (phim_tokens (item.next token)))))
          (phim_tokens (utt.relation.first phim_utt 'Token))
          (define (phim_words word)
            (if word
                (begin
                  (format t "phim-word %s %s %s\\n" (item.feat word "R:Token.parent.phim_token")
                          (item.feat word "word_start") (item.feat word "word_end"))
                  (phim_words (item.next word)))))
          (phim_words (utt.relation.first phim_utt 'Word))
          (format t "\(doneLine)\\n"))
        (format t "\(endPrefix)\(number)\\n")
        (fflush nil)

        """
    }

    /// The start of the line that ends each request's output.
    static let endPrefix = "phim-end "

    /// The script that prints `phim-rate NAME RATE` with the sample rate of each voice's speech (one short word each),
    /// then ``doneLine``. A voice that fails to load stops the script.
    static func sampleRates(of voices: [FestivalVoice]) -> String {
        var script = "(load (path-append datadir \"init.scm\"))\n(begin\n"
        for voice in voices {
            script += "  (voice_\(voice.name))\n"
            script += "  (format t \"phim-rate \(voice.name) %s\\n\" (cadr (assoc 'sample_rate (wave.info (utt.wave (utt.synth (Utterance Text \"a\")))))))\n"
        }
        return script + "  (format t \"\(doneLine)\\n\"))\n"
    }

    /// The tokens and words in the output of ``synthesis(text:voice:speed:)``.
    /// - Returns: `nil` when the output does not end with ``doneLine`` (the script stopped on an error); otherwise for
    ///   each of Festival's tokens whether whitespace came before it, and the words (words that belong to no token are
    ///   left out).
    static func parse(_ output: String) -> (spaced: [Bool], words: [Word])? {
        var spaced: [Bool] = [], words: [Word] = [], done = false
        for line in output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ")
            switch fields.first {
            case "phim-token" where fields.count == 3:
                spaced.append(fields[2] == "1")
            case "phim-word" where fields.count == 4:
                guard let token = Int(fields[1]), token >= 1, token <= spaced.count,
                      let start = Double(fields[2]), let end = Double(fields[3]), start.isFinite, end.isFinite else { continue }
                words.append(Word(token: token - 1, start: max(0, start), end: max(0, end)))
            default:
                if line == doneLine { done = true }
            }
        }
        return done ? (spaced, words) : nil
    }

    /// For each of Festival's tokens, the index of the text's whitespace-separated token it belongs to: Festival starts
    /// a token at whitespace, and sometimes inside a word (symbols it splits off), so the tokens after whitespace are
    /// counted. When that count is not `tokenCount` (it should be), tokens are spread over the text in proportion.
    static func textTokenIndices(spaced: [Bool], tokenCount: Int) -> [Int] {
        var chunks: [Int] = []
        chunks.reserveCapacity(spaced.count)
        var chunk = -1
        for (index, space) in spaced.enumerated() {
            if index == 0 || space { chunk += 1 }
            chunks.append(chunk)
        }
        let chunkCount = chunk + 1
        guard chunkCount != tokenCount, chunkCount > 0 else { return chunks }
        return chunks.map { min(tokenCount - 1, $0 * tokenCount / chunkCount) }
    }
}
