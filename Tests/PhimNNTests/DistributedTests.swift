import Foundation
import PhimCore
import Testing
@testable import PhimNN
@testable import PhimTensor

/// Tests that need processes of their own: distributed ranks, and memory measured without other tests running.
@Suite struct ProcessTests {
    var worker: String { productsFolder.appendingPathComponent("PhimTensorWorker").path }

    @Test func twoRanksStayIdenticalAndMatchSingleProcessTraining() throws {
        let port = try Loopback.freePort()
        let rank0 = temporaryPath("rank0.safetensors"), rank1 = temporaryPath("rank1.safetensors")
        let single = temporaryPath("single.safetensors")
        let common = ["--world", "2", "--port", String(port), "--steps", "20"]
        let (p0, _, e0) = try start(worker, ["ddp", "--rank", "0", "--out", rank0] + common)
        let (p1, _, e1) = try start(worker, ["ddp", "--rank", "1", "--out", rank1] + common)
        let alone = try run(worker, ["ddp", "--rank", "0", "--world", "1", "--total-ranks", "2", "--steps", "20", "--out", single])
        p0.waitUntilExit()
        p1.waitUntilExit()
        let errors0 = String(decoding: e0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors1 = String(decoding: e1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p0.terminationStatus == 0 && p1.terminationStatus == 0, "\(errors0) \(errors1)")
        #expect(alone.status == 0, "\(alone.error)")

        let a = Dictionary(uniqueKeysWithValues: try Safetensors.read(path: rank0).tensors)
        let b = Dictionary(uniqueKeysWithValues: try Safetensors.read(path: rank1).tensors)
        let c = Dictionary(uniqueKeysWithValues: try Safetensors.read(path: single).tensors)
        #expect(a.count == 4 && Set(a.keys) == Set(b.keys) && Set(a.keys) == Set(c.keys))
        for name in a.keys.sorted() {
            #expect(try a[name]!.isEqual(to: b[name]!), "\(name) differs between ranks")
            #expect(try a[name]!.isClose(to: c[name]!, rtol: 1e-4, atol: 1e-5), "\(name) differs from single-process training")
        }
    }

    @Test func memoryStaysFlatOverAThousandTrainingSteps() throws {
        let result = try run(worker, ["leak", "--steps", "1000"])
        #expect(result.status == 0, "\(result.error)")
        let fields = Dictionary(uniqueKeysWithValues: result.output.split(whereSeparator: \.isWhitespace).compactMap { field -> (String, Double)? in
            let parts = field.split(separator: "=")
            guard parts.count == 2, let value = Double(parts[1]) else { return nil }
            return (String(parts[0]), value)
        })
        let early = try #require(fields["rss100"]), late = try #require(fields["rss1000"])
        #expect(early > 0)
        #expect(late <= early * 1.05, "resident memory grew from \(early) to \(late) bytes")
    }

    @Test func aProcessGroupThatCannotFormIsAnError() throws {
        // Rank 1 of 2 with no rank 0 serving the store: the rendezvous times out with an error, not a crash.
        let port = try Loopback.freePort()
        do {
            _ = try ProcessGroup(host: "127.0.0.1", port: port, rank: 1, worldSize: 2, timeout: 1)
            Issue.record("joining an absent group succeeded")
        } catch {
            #expect(error.code == .distributed || error.code == .libtorch)
        }
        #expect(throws: TensorError.self) { try ProcessGroup(host: "127.0.0.1", port: 1234, rank: 3, worldSize: 2) }
    }
}
