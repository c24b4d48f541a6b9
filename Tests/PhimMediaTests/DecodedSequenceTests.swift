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

    /// A consumer that stops early stops the decoding thread too: fifty abandoned sequences leave no decoder
    /// running on to the end of the file.
    @Test func stoppingEarlyStopsTheDecoder() async throws {
        // The decoding threads are named after the file ("phim-decode-zq7", 15 characters: what Linux keeps).
        let url = try MediaGenerator.colorBars(to: folder.file("zq7.mp4"), seconds: 30)
        var seenRunning = false
        for _ in 0..<50 {
            var seen = 0
            for try await _ in VideoDecoder.frames(url: url, bufferSize: 2) {
                seen += 1
                if seen == 1 { seenRunning = seenRunning || Self.decoderThreads("phim-decode-zq7") > 0 }
                if seen == 3 { break }
            }
        }
        #expect(seenRunning, "no decoding thread was seen while iterating")
        // Each producer decodes at most a buffer more, then ends.
        var left = Self.decoderThreads("phim-decode-zq7")
        for _ in 0..<25 where left > 0 {
            try await Task.sleep(nanoseconds: 20_000_000)
            left = Self.decoderThreads("phim-decode-zq7")
        }
        #expect(left == 0, "\(left) decoding threads still running")
    }

    /// Threads of this process with this name, from `/proc/self/task/*/comm`.
    static func decoderThreads(_ name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == name
        }.count
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
