import Foundation
import Testing
@testable import PhimSpeech

@Suite struct WordAlignerTests {
    @Test func tokensCountUnicodeScalarsLikeEspeak() {
        // espeak-ng reports `text_position` in code points from 1: "Tiếng Việt có" has "Việt" at 7 and "có" at 12.
        let tokens = TextToken.split("Tiếng Việt  có\ndấu:")
        #expect(tokens.map(\.text) == ["Tiếng", "Việt", "có", "dấu:"])
        #expect(tokens.map(\.scalarStart) == [0, 6, 12, 15])
        #expect(tokens.map(\.scalarEnd) == [5, 10, 14, 19])
        #expect(TextToken.index(holding: 7, in: tokens) == 1)
        #expect(TextToken.index(holding: 11, in: tokens) == 2, "whitespace belongs to the next token")
        #expect(TextToken.index(holding: 99, in: tokens) == 3)
    }

    @Test func splitMissingAndMisplacedEventsGiveOneOnsetPerToken() {
        let tokens = TextToken.split("one 1234 — four five")
        let marks = [
            WordMark(scalarOffset: 0, sample: 100),
            // "1234" read as four words.
            WordMark(scalarOffset: 4, sample: 1000), WordMark(scalarOffset: 5, sample: 2000),
            WordMark(scalarOffset: 5, sample: 3000), WordMark(scalarOffset: 5, sample: 4000),
            // No event for the dash; a stray early event for "five", out of order with the rest.
            WordMark(scalarOffset: 11, sample: 6000), WordMark(scalarOffset: 16, sample: 500),
        ]
        let onsets = WordAligner.estimatedOnsets(tokens: tokens, marks: marks, soundStart: 50, soundEnd: 10_000)
        #expect(onsets.count == 5)
        #expect(onsets[0] == 100 && onsets[1] == 1000 && onsets[3] == 6000)
        #expect(onsets[2] > 1000 && onsets[2] < 6000, "the dash is interpolated between its neighbours")
        #expect(onsets[4] > 6000 && onsets[4] < 10_000, "the stray event is dropped and 'five' spread towards the end of the sound")
        #expect(onsets == onsets.sorted())
    }

    @Test func longestNonDecreasingRunDropsOutOfOrderEstimates() {
        #expect(WordAligner.longestNonDecreasing([1, 5, 2, 3, 3, 9, 4]) == [0, 2, 3, 4, 6])
        #expect(WordAligner.longestNonDecreasing([]) == [])
    }

    /// Three bursts of tone after silences; estimates 80 ms early and late move onto the bursts.
    @Test func onsetsAfterPausesMoveOntoTheSound() {
        let rate = 22_050
        var samples = [Float](repeating: 0, count: rate * 2)
        let bursts = [(0.20, 0.50), (0.90, 1.10), (1.10, 1.60)]   // the last two touch: no pause between them
        for (start, end) in bursts {
            for index in Int(start * Double(rate))..<Int(end * Double(rate)) {
                samples[index] = 0.5 * Float(sin(2 * Double.pi * 300 * Double(index) / Double(rate)))
            }
        }
        let envelope = SpeechEnvelope(samples: samples, sampleRate: rate)
        let tokens = TextToken.split("a b c")
        let estimates = [0.12, 0.98, 1.10].map { Int($0 * Double(rate)) }
        let words = WordAligner.words(tokens: tokens, onsets: estimates, envelope: envelope, sampleCount: samples.count)
        #expect(abs(words[0].start - 0.20) < 0.002)
        #expect(abs(words[1].start - 0.90) < 0.002)
        #expect(abs(words[2].start - 1.10) < 0.002, "no pause before 'c': its estimate stands")
        #expect(abs(words[0].end - 0.50) < 0.01, "'a' ends where its sound stops, not at the next word")
        #expect(words[1].end == words[2].start, "'b' runs into 'c'")
        #expect(abs(words[2].end - 1.60) < 0.01)
    }
}
