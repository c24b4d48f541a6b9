import Foundation
import PhimCore

/// One Piper process with one voice loaded, speaking request after request: loading a voice takes about 3 s (Python,
/// onnxruntime and the model), speaking a sentence about a tenth of its length, so one process serves every call.
///
/// The process is Python in Piper's environment running ``script`` (written into a fresh temporary folder, which is
/// also where it writes its waveforms). Phim and the process talk over a socket pair, one JSON line each way per
/// request: the text never passes through a shell or a command line, a dead process shows up as the end of the stream
/// (never as a SIGPIPE), and every wait has a deadline. The process starts on the first request, is restarted after a
/// failure, and stops (with its folder) when the worker is released or phim is stopped by a signal.
///
/// `@unchecked Sendable`: one request at a time, under a lock.
final class PiperWorker: @unchecked Sendable {
    /// What Piper said about one request's text, per sentence it made of it.
    struct Chunk: Decodable, Sendable {
        /// Samples of the sentence's audio.
        var samples: Int
        /// The phonemes, with `^` and `$` around the sentence and `" "` between words, and the samples of each.
        var phonemes: [String]
        var counts: [Int]
    }

    /// The samples of one request (at the rate asked for) and Piper's sentences.
    struct Speech: Sendable {
        var samples: [Float]
        var sampleRate: Int
        /// Piper's own rate, which ``Chunk/counts`` count in.
        var voiceRate: Int
        var chunks: [Chunk]
    }

    private struct Reply: Decodable {
        var ready: Bool?
        var sample_rate: Int?
        var samples: Int?
        var chunks: [Chunk]?
        var error: String?
    }

    /// A running process.
    private struct Running {
        var process: Process
        var socket: Int32
        var folder: URL
        var registrations: [TemporaryFiles.Token]
        var buffer = Data()
        var voiceRate: Int
        var requests = 0
    }

    let python: URL
    let voice: PiperVoice
    /// Seconds the process may take to load the voice.
    let startTimeout: Double
    private let lock = NSLock()
    private var running: Running?

    /// The longest reply line read (a sentence of a few thousand phonemes is about 60 KB).
    static let maxReplyBytes = 16 << 20

    init(python: URL, voice: PiperVoice, startTimeout: Double = 120) {
        self.python = python
        self.voice = voice
        self.startTimeout = startTimeout
    }

    deinit { if let running { Self.stop(running) } }

    /// Speaks `text` (one or more sentences) at `lengthScale` (Piper's duration factor: 1 is the voice's own pace, 2 half as fast).
    /// - Parameters:
    ///   - sampleRate: the rate to decode at (nil keeps the voice's).
    ///   - timeout: seconds the request may take (the voice's loading has its own ``startTimeout``).
    /// - Throws: `PhimError` `.invalidInput` about `--voice` when the model does not load; `.operationFailed` naming Piper
    ///   when it fails, dies or runs past the timeout (the process is then stopped; the next request starts another).
    func speak(_ text: String, lengthScale: Double, sampleRate: Int?, timeout: Double) throws(PhimError) -> Speech {
        lock.lock()
        defer { lock.unlock() }
        if running == nil { running = try start() }
        guard var current = running else { throw failure("did not start") }
        current.requests += 1
        let wav = current.folder.appendingPathComponent("speech-\(current.requests).wav")
        defer { try? FileManager.default.removeItem(at: wav) }
        let request: [String: Any] = ["text": text, "wav": wav.path, "length_scale": lengthScale]
        let reply: Reply
        do throws(PhimError) {
            guard let line = try? JSONSerialization.data(withJSONObject: request) else { throw failure("cannot be given the text") }
            let deadline = MonotonicClock.now() + max(0, timeout)
            try Self.send(line + Data([0x0A]), to: current.socket, deadline: deadline, failure: failure)
            reply = try readReply(&current, deadline: deadline)
        } catch {
            Self.stop(current)
            running = nil
            throw error
        }
        running = current
        if let error = reply.error { throw failure("could not speak \(text.quoted(limit: 40)): \(error)") }
        guard let chunks = reply.chunks else { throw failure("answered without audio") }
        guard reply.samples ?? 0 > 0 else { return Speech(samples: [], sampleRate: sampleRate ?? current.voiceRate, voiceRate: current.voiceRate, chunks: chunks) }
        do throws(PhimError) {
            let (samples, rate) = try CommandSynthesizer.decodeMono(wav, sampleRate: sampleRate ?? current.voiceRate)
            return Speech(samples: samples, sampleRate: rate, voiceRate: current.voiceRate, chunks: chunks)
        } catch {
            throw failure("wrote audio that cannot be decoded: \(error.message)")
        }
    }

    private func failure(_ message: String) -> PhimError {
        PhimError(.operationFailed, "Piper (voice \(voice.name)) " + message)
    }

    /// Starts the process and waits for it to load the voice.
    private func start() throws(PhimError) -> Running {
        let manager = FileManager.default
        let folder = manager.temporaryDirectory.appendingPathComponent("phim-piper-\(UInt64.random(in: 0...UInt64.max))")
        let script = folder.appendingPathComponent("piper_worker.py"), errors = folder.appendingPathComponent("stderr.txt")
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(Self.script.utf8).write(to: script)
            try Data().write(to: errors)
        } catch {
            try? manager.removeItem(at: folder)
            throw failure("cannot be prepared: \(error.localizedDescription)")
        }
        let folderRegistration = TemporaryFiles.shared.add(folder)
        var sockets: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &sockets) == 0 else {
            try? manager.removeItem(at: folder)
            TemporaryFiles.shared.remove(folderRegistration)
            throw failure("cannot be connected: socketpair failed (errno \(errno))")
        }
        _ = fcntl(sockets[0], F_SETFD, FD_CLOEXEC)
        let process = Process()
        process.executableURL = python
        // -I: isolated from the user's PYTHONPATH and site folder; -u: unbuffered.
        process.arguments = ["-I", "-u", script.path, voice.model.path]
        process.currentDirectoryURL = folder
        let child = FileHandle(fileDescriptor: sockets[1], closeOnDealloc: false)
        process.standardInput = child
        process.standardOutput = child
        do {
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
        } catch {
            close(sockets[0])
            close(sockets[1])
            try? manager.removeItem(at: folder)
            TemporaryFiles.shared.remove(folderRegistration)
            throw failure("cannot be started with \(python.path): \(error.localizedDescription)")
        }
        close(sockets[1])
        let pid = process.processIdentifier
        let killer = TemporaryFiles.shared.add(cleanup: { kill(pid, SIGKILL) })
        var running = Running(process: process, socket: sockets[0], folder: folder, registrations: [folderRegistration, killer],
                              voiceRate: voice.sampleRate)
        let reply: Reply
        do throws(PhimError) {
            reply = try readReply(&running, deadline: MonotonicClock.now() + startTimeout)
        } catch {
            Self.stop(running)
            throw error
        }
        guard reply.ready == true, let rate = reply.sample_rate, (8_000...192_000).contains(rate) else {
            Self.stop(running)
            throw PhimError(.invalidInput, "the Piper voice \(voice.model.displayPath.quoted()) does not load: \(reply.error ?? "no answer")",
                            subject: .option("voice"))
        }
        running.voiceRate = rate
        return running
    }

    /// Reads one reply line before `deadline`.
    private func readReply(_ running: inout Running, deadline: Double) throws(PhimError) -> Reply {
        while true {
            if let newline = running.buffer.firstIndex(of: 0x0A) {
                let line = running.buffer[running.buffer.startIndex..<newline]
                running.buffer = Data(running.buffer[(newline + 1)...])
                do { return try JSONDecoder().decode(Reply.self, from: line) } catch {
                    throw failure("answered something other than JSON: \(String(decoding: line.prefix(80), as: UTF8.self).quoted())")
                }
            }
            guard running.buffer.count <= Self.maxReplyBytes else { throw failure("answered more than \(Self.maxReplyBytes >> 20) MiB") }
            let remaining = deadline - MonotonicClock.now()
            guard remaining > 0 else { throw failure("did not answer within its time") }
            var poller = pollfd(fd: running.socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(running.socket, &chunk, chunk.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let detail = Self.lastLine(of: running.folder.appendingPathComponent("stderr.txt"))
                throw failure("stopped" + (detail.isEmpty ? "" : ": \(detail)"))
            }
            running.buffer.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes all of `data` before `deadline` (MSG_NOSIGNAL: a dead process gives an error, not SIGPIPE).
    private static func send(_ data: Data, to socket: Int32, deadline: Double, failure: (String) -> PhimError) throws(PhimError) {
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            let remaining = deadline - MonotonicClock.now()
            guard remaining > 0 else { throw failure("did not take the text within its time") }
            var poller = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { continue }
            let sent = bytes.withUnsafeBufferPointer { buffer in
                Glibc.send(socket, buffer.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0, errno == EINTR || errno == EAGAIN { continue }
            guard sent > 0 else { throw failure("stopped before it took the text") }
            offset += sent
        }
    }

    /// Stops the process and removes its folder.
    private static func stop(_ running: Running) {
        close(running.socket)
        if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: running.folder)
        for registration in running.registrations { TemporaryFiles.shared.remove(registration) }
    }

    /// The last non-empty line of a file, trimmed and cut to 200 characters.
    private static func lastLine(of file: URL) -> String {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        let line = text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) } ?? ""
        return String(line.trimmingCharacters(in: .whitespaces).prefix(200))
    }

    /// The Python program the process runs: loads the voice given as its argument (with Piper's phoneme alignments when
    /// the `onnx` package is there to expose them), says `{"ready": true, "sample_rate": N}`, then for each request line
    /// `{"text", "wav", "length_scale"}` writes the speech to `wav` (16-bit mono) and answers with Piper's sentences.
    static let script = #"""
    import json, sys, wave

    def reply(message):
        sys.stdout.write(json.dumps(message, ensure_ascii=True) + "\n")
        sys.stdout.flush()

    def first_line(error):
        return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]

    def main():
        try:
            import numpy as np
            from piper import PiperVoice, SynthesisConfig
        except Exception as error:
            reply({"error": "piper-tts is not installed in this Python (%s)" % first_line(error)})
            return 1
        try:
            try:
                voice = PiperVoice.load(sys.argv[1], include_alignments=True)
            except TypeError:
                voice = PiperVoice.load(sys.argv[1])
        except Exception as error:
            reply({"error": first_line(error)})
            return 1
        rate = int(voice.config.sample_rate)
        reply({"ready": True, "sample_rate": rate})
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                request = json.loads(line)
                settings = SynthesisConfig(length_scale=float(request.get("length_scale", 1.0)))
                chunks, pieces = [], []
                for chunk in voice.synthesize(request["text"], syn_config=settings, include_alignments=True):
                    audio = chunk.audio_int16_array
                    pieces.append(audio)
                    alignments = chunk.phoneme_alignments or []
                    chunks.append({"samples": int(len(audio)), "phonemes": [a.phoneme for a in alignments],
                                   "counts": [int(a.num_samples) for a in alignments]})
                audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
                with wave.open(request["wav"], "wb") as out:
                    out.setnchannels(1)
                    out.setsampwidth(2)
                    out.setframerate(rate)
                    out.writeframes(audio.tobytes())
                reply({"samples": int(len(audio)), "chunks": chunks})
            except Exception as error:
                reply({"error": first_line(error)})
        return 0

    sys.exit(main())
    """#
}
