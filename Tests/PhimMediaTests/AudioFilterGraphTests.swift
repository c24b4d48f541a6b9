import Foundation
import PhimCore
import Testing
@testable import PhimMedia

@Suite struct AudioFilterGraphTests {
    /// Zero crossings per second of the left channel: twice the frequency of a sine.
    func crossingRate(_ samples: [Float]) -> Double {
        var crossings = 0
        for n in 1..<(samples.count / 2) where (samples[(n - 1) * 2] < 0) != (samples[n * 2] < 0) { crossings += 1 }
        return Double(crossings) / (Double(samples.count / 2) / 48_000)
    }

    func sine(seconds: Double, frequency: Double) -> [Float] {
        (0..<Int(seconds * 48_000)).flatMap { n -> [Float] in
            let v = Float(0.5 * sin(2 * .pi * frequency * Double(n) / 48_000))
            return [v, v]
        }
    }

    @Test(arguments: [0.5, 0.8, 1.25, 2.0, 0.3])
    func tempoChangesLengthNotPitch(_ tempo: Double) throws {
        let input = sine(seconds: 2, frequency: 440)
        let graph = try AudioFilterGraph.tempo(tempo)
        var output: [Float] = []
        for start in stride(from: 0, to: input.count, by: 9_600) {
            output += try graph.process(Array(input[start..<min(input.count, start + 9_600)]))
        }
        output += try graph.flush()
        let seconds = Double(output.count / 2) / 48_000
        #expect(abs(seconds - 2 / tempo) < 0.05, "tempo \(tempo): \(seconds) s")
        // The pitch stays 440 Hz (880 zero crossings a second), measured away from the edges.
        let middle = Array(output[(output.count / 4) & ~1..<(output.count * 3 / 4) & ~1])
        #expect(abs(crossingRate(middle) - 880) < 15, "tempo \(tempo): \(crossingRate(middle)) crossings/s")
    }

    @Test func badFilterIsAnError() {
        #expect(throws: PhimError.self) { try AudioFilterGraph("nosuchfilter=1") }
        #expect(throws: PhimError.self) { try AudioFilterGraph.tempo(0) }
    }
}
