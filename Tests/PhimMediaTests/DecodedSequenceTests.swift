import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimMedia

@Suite struct DecodedSequenceTests {
    let folder = TemporaryFolder("phim-media-async")

    @Test func framesArriveInOrderAsAnAsyncSequence() async throws {
        let url = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 2)
        var times: [Double] = []
        for try await frame in VideoDecoder.frames(url: url) { times.append(frame.time) }
        #expect(times.count == 50)
        #expect(times == times.sorted())
        var samples = 0
        for try await chunk in AudioDecoder.chunks(url: url, from: 1) { samples += chunk.buffer.frameCount }
        #expect(abs(samples - 48_000) <= 1024)
    }

    @Test func stoppingEarlyIsFine() async throws {
        let url = try MediaGenerator.colorBars(to: folder.file("bars.mp4"), seconds: 2)
        for _ in 0..<50 {
            var seen = 0
            for try await _ in VideoDecoder.frames(url: url, bufferSize: 2) {
                seen += 1
                if seen == 3 { break }
            }
            #expect(seen == 3)
        }
    }

    @Test func errorsArriveWhileIterating() async throws {
        let missing = folder.file("missing.mp4")
        for _ in 0..<200 {
            var caught: (any Error)?
            do {
                for try await _ in VideoDecoder.frames(url: missing) {}
            } catch {
                caught = error
            }
            #expect((caught as? PhimError)?.code == .fileNotFound)
        }
    }
}
