import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimSpeech

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
