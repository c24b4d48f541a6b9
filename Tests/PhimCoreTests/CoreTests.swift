import Foundation
import Testing
@testable import PhimCore

@Suite struct ColorTests {
    @Test func parsesHexForms() throws {
        #expect(Color(parsing: "#ff0000") == Color(red: 1, green: 0, blue: 0))
        #expect(Color(parsing: "#0f0") == Color(red: 0, green: 1, blue: 0))
        let translucent = try #require(Color(parsing: "#00000080"))
        #expect(abs(translucent.alpha - 128.0 / 255) < 1e-9)
        #expect(Color(parsing: " White ") == .white)
        #expect(Color(parsing: "rgb(255, 0, 255)") == Color(red: 1, green: 0, blue: 1))
    }

    @Test(arguments: ["", "#12", "#gggggg", "rgb(300,0,0)", "rgba(1,2,3)", "notacolour", "#1234567"])
    func rejectsMalformed(_ text: String) {
        #expect(Color(parsing: text) == nil)
    }

    @Test func printsHex() {
        #expect(Color(parsing: "#1a2b3c")?.description == "#1a2b3c")
    }
}

@Suite struct TimeTests {
    @Test func approximatesNTSC() {
        #expect(Rational(approximating: 29.97) == Rational(30000, 1001))
        #expect(Rational(approximating: 30) == Rational(30, 1))
        #expect(Rational(approximating: 23.976) == Rational(24000, 1001))
    }

    @Test func samplesPerFrameDoNotDrift() {
        let rate = FrameRate(Rational(30000, 1001))
        // After one hour of frames the sample position is exact, not a sum of rounded per-frame counts.
        let frames = 107_892
        #expect(rate.samples(beforeFrame: frames, sampleRate: 48_000) == Int(Int64(frames) * 48_000 * 1001 / 30000))
        #expect(FrameRate(30).samples(beforeFrame: 30, sampleRate: 48_000) == 48_000)
    }

    @Test func frameIndexRoundsToNearest() {
        let rate = FrameRate(30)
        #expect(rate.frameIndex(at: 1.0) == 30)
        #expect(rate.frameIndex(at: 1.016) == 30)
        #expect(rate.frameIndex(at: 1.02) == 31)
    }
}

@Suite struct PixelBufferTests {
    @Test func fillAndReadBackPremultiplied() {
        var buffer = PixelBuffer(size: PixelSize(width: 3, height: 2))
        buffer.fill(Color(red: 1, green: 0.5, blue: 0, alpha: 0.5))
        let p = buffer.pixel(x: 2, y: 1)
        #expect(p.a == 128)
        #expect(p.distance(to: RGBA8(r: 255, g: 128, b: 0, a: 128)) <= 2)
        #expect(buffer.bytesPerRow % 64 == 0)
    }

    @Test func copyOnWrite() {
        var a = PixelBuffer(size: PixelSize(width: 4, height: 4), format: .rgba)
        a.fill(.white)
        var b = a
        b.fill(.black)
        #expect(a.pixel(x: 0, y: 0) == RGBA8(r: 255, g: 255, b: 255))
        #expect(b.pixel(x: 0, y: 0) == RGBA8(r: 0, g: 0, b: 0))
    }

    @Test func limitsRefuseAbsurdSizes() {
        #expect(throws: PhimError.self) { try Limits.check(PixelSize(width: 100_000, height: 100_000), subject: .field("width")) }
        #expect(throws: PhimError.self) { try Limits.check(PixelSize(width: 0, height: 10), subject: .field("width")) }
        #expect(throws: Never.self) { try Limits.check(PixelSize(width: 1920, height: 1080), subject: .field("width")) }
    }
}

@Suite struct FitTests {
    @Test func coverCropsContainLetterboxes() {
        let content = PixelSize(width: 400, height: 300), frame = PixelSize(width: 1600, height: 900)
        let cover = FitMode.cover.placement(of: content, in: frame)
        #expect(cover.width == 1600 && cover.height == 1200 && cover.y == -150)
        let contain = FitMode.contain.placement(of: content, in: frame)
        #expect(contain.width == 1200 && contain.height == 900 && contain.x == 200)
    }
}

@Suite struct OutputFileTests {
    @Test func discardedOutputLeavesNothing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phim-core-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("out.bin")
        do {
            let output = try OutputFile(target)
            try Data([1, 2, 3]).write(to: output.temporary)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        let output = try OutputFile(target)
        try Data([1, 2, 3]).write(to: output.temporary)
        try output.commit()
        #expect(try Data(contentsOf: target) == Data([1, 2, 3]))
        #expect(throws: PhimError.self) { try OutputFile(folder.appendingPathComponent("missing/out.bin")) }
    }

    @Test func textIsNormalisedToNFC() {
        let decomposed = "Vie\u{0302}\u{0323}t"
        #expect(decomposed.nfc == "Việt")
        #expect(decomposed.nfc.unicodeScalars.count == 4)
    }
}

@Suite struct WholeRateTests {
    @Test(arguments: [1.0, 2, 5, 10, 24, 25, 30, 50, 60, 120, 240])
    func wholeRatesStayWhole(_ fps: Double) {
        #expect(Rational(approximating: fps) == Rational(Int64(fps), 1))
    }

    @Test func ntscFamily() {
        #expect(Rational(approximating: 59.94) == Rational(60000, 1001))
        #expect(Rational(approximating: 12.5) == Rational(25, 2))
    }
}

@Suite struct MessageTextTests {
    @Test func quotedEscapesControlsAndShortens() {
        #expect("plain".quoted() == "'plain'")
        #expect("a\nb\u{1B}[2J\u{202E}".quoted() == #"'a\nb\u{1B}[2J\u{202E}'"#)
        let long = String(repeating: "x", count: 3_000_000)
        let shown = long.quoted(limit: 10)
        #expect(shown == "'xxxxxxxxxx…' (3000000 characters)")
        #expect("Xin chào thế giới".quoted() == "'Xin chào thế giới'")
    }

    @Test func errorsPrintAsOneShortLine() {
        let error = PhimError(.invalidInput, "bad value\n" + String(repeating: "y", count: 10_000), subject: .file("a\u{0}b"))
        let line = error.description
        #expect(!line.contains("\n") && !line.unicodeScalars.contains { $0.value < 0x20 })
        #expect(line.count <= PhimError.maxDescriptionLength)
        #expect(line.hasPrefix(#"a\u{0}b: bad value\n"#))
    }

    @Test func otherEncodingsAreToldApart() {
        #expect(TextEncodingMark.other(in: [0xFF, 0xFE, 0x00, 0x00, 0x41]) == "UTF-32LE")
        #expect(TextEncodingMark.other(in: [0xFF, 0xFE, 0x41, 0x00]) == "UTF-16LE")
        #expect(TextEncodingMark.other(in: [0x00, 0x00, 0xFE, 0xFF]) == "UTF-32BE")
        #expect(TextEncodingMark.other(in: [0xEF, 0xBB, 0xBF, 0x41]) == nil)
    }
}

@Suite struct FileSafetyTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phim-core-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }

    @Test func temporaryNamesStayWithinTheFileSystemsLimit() {
        for name in [String(repeating: "a", count: 240) + ".mp4", String(repeating: "ế", count: 84) + ".mp4", "short.mp4"] {
            let temporary = OutputFile.temporaryName(for: name, token: "zzzzzzzzzzzzz")
            #expect(temporary.utf8.count <= OutputFile.maxNameBytes, "\(temporary)")
            #expect(temporary.hasPrefix(".") && temporary.hasSuffix(".zzzzzzzzzzzzz.part"))
            #expect(String(decoding: Array(temporary.utf8), as: UTF8.self) == temporary, "cut at a character boundary")
        }
        #expect(OutputFile.temporaryName(for: "short.mp4", token: "t") == ".short.mp4.t.part")
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let fifo = folder.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        #expect(throws: PhimError.self) { try InputFile.read(fifo, subject: .file("fifo"), maxBytes: 100) }
        do {
            _ = try InputFile.read(fifo, subject: .file("fifo"), maxBytes: 100)
        } catch {
            #expect(error.message.contains("a FIFO"))
        }
        #expect(throws: PhimError.self) { try OutputFile(fifo) }
    }

    @Test func readingStopsAtTheLimit() throws {
        let file = folder.appendingPathComponent("big")
        try Data(count: 1_000).write(to: file)
        #expect(try InputFile.read(file, subject: .file("big"), maxBytes: 1_000).count == 1_000)
        do {
            _ = try InputFile.read(file, subject: .file("big"), maxBytes: 999)
            Issue.record("read past the limit")
        } catch {
            #expect(error.code == .limitExceeded)
        }
    }

    @Test func signalCleanUpRemovesRegisteredFiles() throws {
        let registry = TemporaryFiles()
        let file = folder.appendingPathComponent("scratch")
        try Data("x".utf8).write(to: file)
        _ = registry.add(file)
        let kept = folder.appendingPathComponent("kept")
        try Data("x".utf8).write(to: kept)
        registry.remove(registry.add(kept))
        registry.removeAll()
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(FileManager.default.fileExists(atPath: kept.path))
    }
}

/// Error codes have stable machine-readable names: a server's JSON and a script's checks depend on them.
@Suite struct ErrorCodeNameTests {
    @Test func namesAreStableUniqueAndSnakeCase() {
        // The released names: changing one breaks every client that matches on it.
        #expect(PhimError.Code.all.map(\.identifier) == ["invalid_input", "file_not_found", "unreadable_file", "corrupt_media",
                                                          "limit_exceeded", "unsupported", "operation_failed", "write_failed",
                                                          "cancelled"])
        #expect(Set(PhimError.Code.all).count == PhimError.Code.all.count)
        for code in PhimError.Code.all {
            #expect(code.identifier.allSatisfy { $0 == "_" || ($0.isASCII && $0.isLowercase) }, "\(code.identifier)")
        }
        // The input is at fault (exit status 2) for the first six, the work failed (1) for the rest.
        #expect(PhimError.Code.all.map { PhimError($0, "x").isInvalidInput } == [true, true, true, true, true, true, false, false, false])
    }
}

/// What an error is about is typed; each front end names it in its own words.
@Suite struct ErrorSubjectTests {
    @Test func theCLIAndAServerNameSubjectsInTheirOwnWords() {
        let field = PhimError.Subject.field("clips[2].layers[0].path")
        #expect(field.description == "clips[2].layers[0].path")
        #expect(field.jsonPointer == "/clips/2/layers/0/path")
        #expect(PhimError.Subject.field("output.crf").jsonPointer == "/output/crf")
        #expect(PhimError.Subject.field("a/b~c").jsonPointer == "/a~1b~0c")
        #expect(PhimError.Subject.option("tts-command").description == "--tts-command")
        #expect(PhimError.Subject.option("duration").jsonPointer == nil)
        #expect(PhimError.Subject.file(URL(fileURLWithPath: "/tmp/x.mp4")).description == "/tmp/x.mp4")
        #expect([field.kind, PhimError.Subject.option("a").kind, PhimError.Subject.file("f").kind, PhimError.Subject.value("v").kind]
            == ["field", "option", "file", "value"])
        let error = PhimError(.invalidInput, "must be more than 0 seconds", subject: .option("duration"))
        #expect(error.description == "--duration: must be more than 0 seconds")
        // A caller that knows better moves the subject and keeps the old one in the message.
        let moved = PhimError(.corruptMedia, "cannot be decoded", subject: .file("a.mp4")).about(field)
        #expect(moved.subject == field && moved.description == "clips[2].layers[0].path: 'a.mp4': cannot be decoded")
    }
}

/// Blocking work runs on a bounded pool, keeps its typed errors, and stops when its task is cancelled.
@Suite struct BlockingPoolTests {
    /// The most jobs seen running at once. `@unchecked Sendable`: guarded by `lock`.
    final class Gauge: @unchecked Sendable {
        let lock = NSLock()
        var running = 0, most = 0
        func enter() { lock.lock(); running += 1; most = max(most, running); lock.unlock() }
        func leave() { lock.lock(); running -= 1; lock.unlock() }
        var peak: Int { lock.lock(); defer { lock.unlock() }; return most }
    }

    @Test func atMostThePoolsThreadsRunAtOnce() async throws {
        // A pool of its own: the shared one is busy with the other tests' work when they run in parallel.
        let pool = BlockingPool(threadCount: 3)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<(pool.threadCount * 3) {
                group.addTask {
                    try await runBlocking(named: "gauge", pool: pool) { () throws(PhimError) -> Int in
                        gauge.enter()
                        Thread.sleep(forTimeInterval: 0.05)
                        gauge.leave()
                        return index
                    }
                }
            }
            var seen = 0
            for try await _ in group { seen += 1 }
            #expect(seen == pool.threadCount * 3)
        }
        #expect(gauge.most <= pool.threadCount && gauge.most >= 2, "\(gauge.most) at once with \(pool.threadCount) threads")
    }

    @Test func errorsKeepTheirTypeAndCancellationReachesTheWork() async {
        do throws(PhimError) {
            _ = try await runBlocking(named: "fails") { () throws(PhimError) -> Int in
                throw PhimError(.corruptMedia, "broken", subject: .file("x.mp4"))
            }
            Issue.record("no error")
        } catch {
            #expect(error.code == .corruptMedia && error.subject == .file("x.mp4"))
        }
        let flag = CancellationFlag()
        let task = Task { () async throws -> Int in
            try await runBlocking(named: "waits", cancellation: flag) { () throws(PhimError) -> Int in
                for _ in 0..<500 {
                    try flag.check()
                    Thread.sleep(forTimeInterval: 0.01)
                }
                return 0
            }
        }
        try? await Task.sleep(nanoseconds: 100_000_000)
        task.cancel()
        let result = await task.result
        #expect(flag.isCancelled)
        guard case .failure(let error) = result else {
            Issue.record("the work ran to its end")
            return
        }
        #expect((error as? PhimError)?.code == .cancelled)
    }

    /// With every pool thread busy, a job whose task is cancelled ends at once and never runs, instead of waiting
    /// for a thread (a server's queue of renders, or a test run's).
    @Test func workCancelledWhileQueuedEndsAtOnceAndNeverRuns() async throws {
        let pool = BlockingPool(threadCount: 2)
        let started = Gauge(), release = DispatchSemaphore(value: 0)
        let blockers = (0..<pool.threadCount).map { _ in
            Task {
                try await runBlocking(named: "holds a thread", pool: pool) { () throws(PhimError) -> Void in
                    started.enter()
                    release.wait()
                }
            }
        }
        defer { for _ in blockers { release.signal() } }
        while started.peak < pool.threadCount { try await Task.sleep(nanoseconds: 10_000_000) }

        let ran = Gauge()
        let victim = Task { () async throws -> Void in
            try await runBlocking(named: "queued", pool: pool) { () throws(PhimError) -> Void in ran.enter() }
        }
        try await Task.sleep(nanoseconds: 50_000_000)
        victim.cancel()
        // Should the job wait for a thread after all, the blockers let go after 60 s, so that the test fails, not
        // hangs. The job must end while every thread is still held: not a time limit, which a test run that keeps
        // the cooperative threads busy (other suites' synchronous tests) can overrun without any thread waiting.
        let blockerCount = blockers.count
        let releasedByDeadline = Gauge()
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
            releasedByDeadline.enter()
            for _ in 0..<blockerCount { release.signal() }
        }
        let result = await victim.result
        #expect(releasedByDeadline.peak == 0, "the cancelled job waited for a thread")
        guard case .failure(let error) = result else {
            Issue.record("the queued job ran although every thread was busy")
            return
        }
        #expect((error as? PhimError)?.code == .cancelled)
        for _ in blockers { release.signal() }
        for blocker in blockers { try await blocker.value }
        // Every thread is free again: a job queued now runs, and the cancelled one did not.
        try await runBlocking(named: "after", pool: pool) { () throws(PhimError) -> Void in }
        #expect(ran.peak == 0)
    }
}
