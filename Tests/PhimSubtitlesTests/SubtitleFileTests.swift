import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimSubtitles

@Suite struct SubtitleFileTests {
    @Test func parsesSubRip() throws {
        let cues = try SubtitleFile.parse("""
        \u{FEFF}1
        00:00:01,000 --> 00:00:02,500
        <i>Xin chào</i>

        2
        00:00:03,250 --> 00:00:04,000
        Dòng một
        Dòng hai

        """, name: "a.srt")
        #expect(cues == [SubtitleCue(start: 1, end: 2.5, text: "Xin chào"),
                         SubtitleCue(start: 3.25, end: 4, text: "Dòng một\nDòng hai")])
    }

    @Test func parsesWebVTTWithNotesAndSettings() throws {
        let cues = try SubtitleFile.parse("""
        WEBVTT - demo

        NOTE a comment
        spanning lines

        intro
        00:01.000 --> 00:02.000 align:start position:10%
        Hello &amp; welcome

        01:00:00.500 --> 01:00:01.000
        {\\an8}Late
        """, name: "a.vtt")
        #expect(cues.count == 2)
        #expect(cues[0] == SubtitleCue(start: 1, end: 2, text: "Hello & welcome"))
        #expect(cues[1].start == 3600.5 && cues[1].text == "Late")
    }

    @Test func decomposedTextBecomesNFC() throws {
        let cues = try SubtitleFile.parse("1\n00:00:00,000 --> 00:00:01,000\nVie\u{0302}\u{0323}t\n", name: "a.srt")
        #expect(cues[0].text == "Việt")
        #expect(cues[0].text.unicodeScalars.count == 4)
    }

    @Test func malformedFilesNameTheLine() throws {
        let error = #expect(throws: PhimError.self) {
            try SubtitleFile.parse("1\n00:00:01,000 --> banana\ntext\n", name: "bad.srt")
        }
        #expect(error?.description == "bad.srt: line 2: bad timing '00:00:01,000 --> banana'")
        let backwards = #expect(throws: PhimError.self) {
            try SubtitleFile.parse("1\n00:00:05,000 --> 00:00:01,000\ntext\n", name: "bad.srt")
        }
        #expect(backwards?.description == "bad.srt: line 2: cue ends before it starts")
        let folder = TemporaryFolder()
        let binary = folder.file("binary.srt")
        try Data([0xFF, 0xFE, 0x00, 0xC3, 0x28]).write(to: binary)
        let utf8 = #expect(throws: PhimError.self) { try SubtitleFile.load(binary) }
        #expect(utf8?.message == "is not valid UTF-8 text")
    }
}

@Suite struct ASSReadingTests {
    @Test func readsDialogueLinesInTheirFormatsOrder() throws {
        let cues = try SubtitleFile.parse("""
        [Script Info]
        ScriptType: v4.00+

        [V4+ Styles]
        Format: Name, Fontname, Fontsize
        Style: Default,DejaVu Sans,48

        [Events]
        Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
        Dialogue: 0,0:00:02.50,0:00:04.00,Default,,0,0,0,,Second, with a comma
        Dialogue: 0,0:00:00.10,0:00:01.20,Default,,0,0,0,,{\\an8\\b1}Xin chào\\Nthế giới
        Comment: 0,0:00:05.00,0:00:06.00,Default,,0,0,0,,not shown
        Dialogue: 0,0:00:07.00,0:00:07.00,Default,,0,0,0,,lasts no time
        """, name: "s.ass")
        #expect(cues.count == 2)
        #expect(cues[0].text == "Xin chào\nthế giới")
        #expect(abs(cues[0].start - 0.1) < 1e-9 && abs(cues[0].end - 1.2) < 1e-9)
        #expect(cues[1].text == "Second, with a comma")
    }

    @Test func karaokeTagsTimeTheWords() throws {
        let cues = try SubtitleFile.parse("""
        [Events]
        Format: Start, End, Text
        Dialogue: 0:00:01.00,0:00:03.00,{\\k50}Never {\\k100}drink {\\k50}ink
        """, name: "k.ass")
        let words = try #require(cues.first?.words)
        #expect(words.map(\.text) == ["Never", "drink", "ink"])
        #expect(words.map(\.start) == [1.0, 1.5, 2.5])
    }

    @Test func ourOwnASSReadsBack() throws {
        let written = SubtitleWriter.ass([SubtitleCue(start: 0.5, end: 2, text: "Một dòng\nhai dòng")], width: 640, height: 360,
                                         fontName: "DejaVu Sans", fontSize: 30)
        let cues = try SubtitleFile.parse(written, name: "own.ass")
        #expect(cues.map(\.text) == ["Một dòng\nhai dòng"])
    }

    @Test func malformedASSNamesTheLine() {
        let error = #expect(throws: PhimError.self) {
            try SubtitleFile.parse("[Events]\nDialogue: 0,0:00:01.00,0:00:02.00,,text\n", name: "bad.ass")
        }
        #expect(error?.subject == .file("bad.ass"))
        #expect(error?.message.hasPrefix("line 2: a Dialogue line before a Format line") == true, "\(String(describing: error))")
    }
}
