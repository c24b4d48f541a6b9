import Foundation
import PhimCore

/// One `festival --pipe` process, kept for many requests: Festival takes about half a second to start and load a
/// voice, and then speaks at about 0.06 of real time, so one process per scene made that start most of the cost.
///
/// Each request is a Scheme expression (``FestivalScript/request(text:speed:wave:number:)``) written to its standard
/// input over a ``LineProcess``: the text is inside an escaped string literal, never on a command line or in a shell.
/// Festival's pipe mode goes on after a Scheme error, so every request ends with its own end line, and a request
/// whose done line is missing failed (what Festival wrote to its standard error meanwhile says why).
///
/// Not thread-safe: ``FestivalWorkerPool`` hands each worker to one caller at a time.
final class FestivalWorker {
    private let process: LineProcess
    /// The voice selected last.
    private var voice: String?
    private var requests = 0

    /// Starts Festival.
    /// - Throws: `PhimError` `.operationFailed` naming Festival when it cannot start.
    init(executable: URL) throws(PhimError) {
        process = try LineProcess(executable, arguments: ["--pipe"], prefix: "phim-festival",
                                  failure: { PhimError(.operationFailed, "Festival " + $0) })
    }

    /// Stops Festival.
    func stop() { process.stop() }

    /// Festival's process identifier and folder.
    var processIdentifier: Int32 { process.processIdentifier }
    var folder: URL { process.folder }

    /// Whether it has loaded a voice and has not failed since.
    var isReady: Bool { voice != nil }

    /// Loads `voice` (about half a second the first time) so that the first request with it starts at once.
    /// - Throws: `PhimError` `.operationFailed` naming Festival when it stops, runs too long or cannot load the voice.
    func select(_ voice: FestivalVoice, timeout: Double) throws(PhimError) {
        guard voice.name != self.voice else { return }
        let deadline = MonotonicClock.now() + max(0, timeout)
        let errorStart = process.errorOutputSize()
        requests += 1
        let end = FestivalScript.endPrefix + String(requests)
        try process.send(FestivalScript.voiceSelection(voice) + "(format t \"\(FestivalScript.doneLine)\\n\")\n"
                         + "(format t \"\(end)\\n\")\n(fflush nil)\n", deadline: deadline, limit: timeout)
        var done = false
        while true {
            let line = try process.readLine(deadline: deadline, limit: timeout)
            if line == end { break }
            if line == FestivalScript.doneLine { done = true }
        }
        guard done, process.lastErrorDetail(since: errorStart).isEmpty else {
            throw PhimError(.operationFailed, "Festival could not load the voice \(voice.name)" + process.lastErrorDetail(since: errorStart))
        }
        self.voice = voice.name
    }

    /// Speaks `text` (ASCII) with `voice` at `speed`, before `timeout` seconds have passed.
    /// - Returns: Festival's tokens and words, and the waveform it wrote (in its folder; the caller removes it).
    /// - Throws: `PhimError` `.operationFailed` naming Festival when it stops, runs too long, or fails to speak (the
    ///   message ends with what it wrote to its standard error, such as `SIOD ERROR: …`).
    func speak(_ text: String, voice: FestivalVoice, speed: Double, timeout: Double) throws(PhimError)
        -> (spaced: [Bool], words: [FestivalScript.Word], wave: URL) {
        let deadline = MonotonicClock.now() + max(0, timeout)
        let errorStart = process.errorOutputSize()
        requests += 1
        let wave = "speech-\(requests).wav"
        var input = voice.name == self.voice ? "" : FestivalScript.voiceSelection(voice)
        input += FestivalScript.request(text: text, speed: speed, wave: wave, number: requests)
        try process.send(input, deadline: deadline, limit: timeout)
        var output = ""
        let end = FestivalScript.endPrefix + String(requests)
        while true {
            let line = try process.readLine(deadline: deadline, limit: timeout)
            if line == end { break }
            output += line + "\n"
        }
        guard let parsed = FestivalScript.parse(output) else {
            self.voice = nil
            throw PhimError(.operationFailed, "Festival stopped before it had spoken with the voice \(voice.name)"
                            + process.lastErrorDetail(since: errorStart))
        }
        self.voice = voice.name
        return (parsed.spaced, parsed.words, process.file(wave))
    }
}

/// The Festival processes of a synthesizer and its copies: a caller takes an idle one, waits for one being warmed up,
/// or starts another (so scenes spoken on two threads use two processes), and gives it back when it is done; one that
/// failed is stopped instead. They stop when the pool is released.
///
/// `@unchecked Sendable`: the idle list and the count of processes warming up are guarded by `condition`.
final class FestivalWorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [FestivalWorker] = []
    private var warming = 0

    deinit { for worker in idle { worker.stop() } }

    /// The processes waiting for a request: their identifiers and folders.
    var idleProcesses: [(id: Int32, folder: URL)] { condition.withLock { idle.map { ($0.processIdentifier, $0.folder) } } }

    /// Starts `count` processes on threads of their own, each loading `voice`, so that they are ready when speech
    /// starts (Festival takes about half a second to start and load a voice). A process that fails to start is
    /// dropped; the request that needs one then starts its own and reports the error.
    func warmUp(_ count: Int, executable: URL, voice: FestivalVoice) {
        condition.withLock { warming += count }
        for _ in 0..<count {
            startWorkerThread(named: "phim-festival-warm-up") { [weak self] in
                let worker = try? FestivalWorker(executable: executable)
                do throws(PhimError) { try worker?.select(voice, timeout: 60) } catch { worker?.stop() }
                guard let self else { worker?.stop(); return }
                self.condition.withLock {
                    self.warming -= 1
                    if let worker, worker.isReady { self.idle.append(worker) }
                    self.condition.broadcast()
                }
            }
        }
    }

    /// Runs `body` with a worker for Festival at `executable`.
    func withWorker<T>(executable: URL, _ body: (FestivalWorker) throws(PhimError) -> T) throws(PhimError) -> T {
        let reused: FestivalWorker? = condition.withLock {
            while idle.isEmpty && warming > 0 { condition.wait() }
            return idle.popLast()
        }
        let worker: FestivalWorker
        if let reused { worker = reused } else { worker = try FestivalWorker(executable: executable) }
        do throws(PhimError) {
            let result = try body(worker)
            condition.withLock {
                idle.append(worker)
                condition.broadcast()
            }
            return result
        } catch {
            worker.stop()
            throw error
        }
    }
}
