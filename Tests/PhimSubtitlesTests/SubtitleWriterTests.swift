import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimSubtitles

@Suite struct SubtitleWriterTests {
    static let cues = [
        SubtitleCue(start: 0.5, end: 2.25, text: "Xin chào,\nthế giới!", words: [
            SpokenWord(text: "Xin", start: 0.5, end: 0.8), SpokenWord(text: "chào,", start: 0.8, end: 1.2),
            SpokenWord(text: "thế", start: 1.3, end: 1.6), SpokenWord(text: "giới!", start: 1.6, end: 2.25),
        ]),
        SubtitleCue(start: 3661.0456, end: 3662.5, text: "A < B & C"),
    ]

    @Test func subRip() {
        #expect(SubtitleWriter.srt(Self.cues) == """
        1
        00:00:00,500 --> 00:00:02,250
        Xin chào,
        thế giới!

        2
        01:01:01,046 --> 01:01:02,500
        A < B & C

        """)
    }

    @Test func webVTT() {
        #expect(SubtitleWriter.webVTT(Self.cues) == """
        WEBVTT

        00:00:00.500 --> 00:00:02.250
        Xin chào,
        thế giới!

        01:01:01.046 --> 01:01:02.500
        A &lt; B &amp; C

        """)
    }

    @Test func webVTTKaraoke() {
        #expect(SubtitleWriter.webVTT(Self.cues, karaoke: true) == """
        WEBVTT

        00:00:00.500 --> 00:00:02.250
        Xin <00:00:00.800>chào,
        <00:00:01.300>thế <00:00:01.600>giới!

        01:01:01.046 --> 01:01:02.500
        A &lt; B &amp; C

        """)
    }

    @Test func advancedSubStationAlpha() {
        #expect(SubtitleWriter.ass(Self.cues, width: 1280, height: 720, fontName: "DejaVu Sans", fontSize: 48) == """
        [Script Info]
        ScriptType: v4.00+
        PlayResX: 1280
        PlayResY: 720
        WrapStyle: 2
        ScaledBorderAndShadow: yes

        [V4+ Styles]
        Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
        Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
        MarginV, Encoding
        Style: Default,DejaVu Sans,48,&H0000FFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,3,0,2,40,40,40,1

        [Events]
        Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
        Dialogue: 0,0:00:00.50,0:00:02.25,Default,,0,0,0,,{\\k30}Xin {\\k50}chào,\\N{\\k30}thế {\\k65}giới!
        Dialogue: 0,1:01:01.05,1:01:02.50,Default,,0,0,0,,A < B & C

        """)
        let plain = SubtitleWriter.ass([SubtitleCue(start: 0, end: 1, text: "{bad}\\N", words: [])], width: 720, height: 1280,
                                       fontName: "Noto Sans", fontSize: 60, karaoke: false)
        #expect(plain.hasSuffix("Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,(bad)/N\n"))
    }

    /// Karaoke WebVTT keeps word onsets; a word's end reads back as the next word's start (the cue end for the last).
    @Test func karaokeWebVTTRoundTrips() throws {
        let words = SubtitleCueBuilderTests.timed(SampleText.vietnamese + " It costs 1,234 dollars & more today.")
        var cues = SubtitleCueBuilder.cues(for: words, layout: CueLayout(maxCharactersPerLine: 30, maxLines: 2))
        for index in cues.indices {
            for word in cues[index].words.indices {
                cues[index].words[word].end = word + 1 < cues[index].words.count ? cues[index].words[word + 1].start : cues[index].end
            }
        }
        let parsed = try SubtitleFile.parse(SubtitleWriter.webVTT(cues, karaoke: true), name: "karaoke.vtt")
        #expect(parsed.count == cues.count)
        for (read, written) in zip(parsed, cues) {
            #expect(read.text == written.text)
            #expect(abs(read.start - written.start) <= 0.001 && abs(read.end - written.end) <= 0.001)
            #expect(read.words.map(\.text) == written.words.map(\.text))
            for (a, b) in zip(read.words, written.words) {
                #expect(abs(a.start - b.start) <= 0.001 && abs(a.end - b.end) <= 0.001, "\(a) vs \(b)")
            }
        }
        // Escaped text reads back as written.
        let escaped = try SubtitleFile.parse(SubtitleWriter.webVTT(Self.cues, karaoke: true), name: "fixed.vtt")
        #expect(escaped == Self.cues.map { cue in
            var cue = cue
            cue.start = (cue.start * 1000).rounded() / 1000
            for index in cue.words.indices { cue.words[index].end = index + 1 < cue.words.count ? cue.words[index + 1].start : cue.end }
            return cue
        })
        // Plain WebVTT and SubRip keep times and text, without words.
        let plain = try SubtitleFile.parse(SubtitleWriter.webVTT(cues), name: "plain.vtt")
        let subRip = try SubtitleFile.parse(SubtitleWriter.srt(cues), name: "plain.srt")
        for read in [plain, subRip] {
            #expect(read.map(\.text) == cues.map(\.text))
            #expect(read.allSatisfy { $0.words.isEmpty })
            #expect(zip(read, cues).allSatisfy { abs($0.start - $1.start) <= 0.001 && abs($0.end - $1.end) <= 0.001 })
        }
    }

    @Test func parsesInlineTimestampsAmongOtherTags() throws {
        let cues = try SubtitleFile.parse("""
        WEBVTT

        00:00:01.000 --> 00:00:04.000
        <v Narrator>Never <00:00:01.500>drink <00:00:02.000><i>liquid</i>
        <00:03.000>nitrogen.
        """, name: "a.vtt")
        #expect(cues == [SubtitleCue(start: 1, end: 4, text: "Never drink liquid\nnitrogen.", words: [
            SpokenWord(text: "Never", start: 1, end: 1.5), SpokenWord(text: "drink", start: 1.5, end: 2),
            SpokenWord(text: "liquid", start: 2, end: 3), SpokenWord(text: "nitrogen.", start: 3, end: 4),
        ])])
    }

    /// FFmpeg's own subtitle demuxers read what the writers produce, with the same times and text.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg"), "needs the ffmpeg program"))
    func ffmpegReadsEveryFormat() throws {
        let folder = TemporaryFolder()
        let cues = SubtitleCueBuilder.cues(for: SubtitleCueBuilderTests.timed(SampleText.vietnamese),
                                           layout: CueLayout(maxCharactersPerLine: 30, maxLines: 2))
        let files = [("a.srt", SubtitleWriter.srt(cues), 0.001), ("a.vtt", SubtitleWriter.webVTT(cues, karaoke: true), 0.001),
                     ("a.ass", SubtitleWriter.ass(cues, width: 1280, height: 720, fontName: "DejaVu Sans", fontSize: 48), 0.005)]
        for (name, text, tolerance) in files {
            try SubtitleWriter.write(text, to: folder.file(name))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            process.arguments = ["-nostdin", "-v", "error", "-y", "-i", folder.file(name).path, folder.file("\(name).srt").path]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "ffmpeg could not read \(name)")
            let read = try SubtitleFile.load(folder.file("\(name).srt"))
            #expect(read.map(\.text) == cues.map(\.text), "\(name)")
            #expect(read.count == cues.count && zip(read, cues).allSatisfy {
                abs($0.start - $1.start) <= tolerance && abs($0.end - $1.end) <= tolerance
            }, "\(name)")
        }
    }

    @Test func writesThroughATemporaryFile() throws {
        let folder = TemporaryFolder()
        let url = folder.file("subs.srt")
        try SubtitleWriter.write(SubtitleWriter.srt(Self.cues), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == SubtitleWriter.srt(Self.cues))
        #expect(folder.contents == ["subs.srt"])
        let missing = #expect(throws: PhimError.self) {
            try SubtitleWriter.write("x", to: folder.file("no/such/folder/subs.vtt"))
        }
        #expect(missing?.code == .invalidInput)
    }
}
