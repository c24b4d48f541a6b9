import Foundation
import PhimCore

/// One Piper process with one voice loaded, speaking request after request: loading a voice takes about 3 s (Python,
/// onnxruntime and the model), speaking a sentence about a tenth of its length, so one process serves every call.
///
/// The process is Python in Piper's environment running ``script`` (a ``LineProcess``: in a fresh temporary folder,
/// which is also where it writes its waveforms, talked to over a socket pair), one JSON line each way per request:
/// the text never passes through a shell or a command line. The process starts on the first request, is restarted
/// after a failure, and stops (with its folder) when the worker is released or phim is stopped by a signal.
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

    let python: URL
    let voice: PiperVoice
    /// Seconds the process may take to load the voice.
    let startTimeout: Double
    private let lock = NSLock()
    /// The running process and the rate its voice speaks at.
    private var running: (process: LineProcess, voiceRate: Int)?
    private var requests = 0

    init(python: URL, voice: PiperVoice, startTimeout: Double = 120) {
        self.python = python
        self.voice = voice
        self.startTimeout = startTimeout
    }

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
        guard let (process, voiceRate) = running else { throw failure("did not start") }
        requests += 1
        let wav = process.file("speech-\(requests).wav")
        defer { try? FileManager.default.removeItem(at: wav) }
        let request: [String: Any] = ["text": text, "wav": wav.path, "length_scale": lengthScale]
        let reply: Reply
        do throws(PhimError) {
            guard let line = try? JSONSerialization.data(withJSONObject: request) else { throw failure("cannot be given the text") }
            let deadline = MonotonicClock.now() + max(0, timeout)
            try process.send(String(decoding: line, as: UTF8.self) + "\n", deadline: deadline, limit: timeout)
            reply = try decode(try process.readLine(deadline: deadline, limit: timeout))
        } catch {
            process.stop()
            running = nil
            throw error
        }
        if let error = reply.error { throw failure("could not speak \(text.quoted(limit: 40)): \(error)") }
        guard let chunks = reply.chunks else { throw failure("answered without audio") }
        guard reply.samples ?? 0 > 0 else { return Speech(samples: [], sampleRate: sampleRate ?? voiceRate, voiceRate: voiceRate, chunks: chunks) }
        do throws(PhimError) {
            let (samples, rate) = try CommandSynthesizer.decodeMono(wav, sampleRate: sampleRate ?? voiceRate)
            return Speech(samples: samples, sampleRate: rate, voiceRate: voiceRate, chunks: chunks)
        } catch {
            throw failure("wrote audio that cannot be decoded: \(error.message)")
        }
    }

    /// The running process's identifier and folder, or nil before the first request (and after a failure).
    var runningProcess: (id: Int32, folder: URL)? { lock.withLock { running.map { ($0.process.processIdentifier, $0.process.folder) } } }

    private func failure(_ message: String) -> PhimError {
        PhimError(.operationFailed, "Piper (voice \(voice.name)) " + message)
    }

    private func decode(_ line: String) throws(PhimError) -> Reply {
        do { return try JSONDecoder().decode(Reply.self, from: Data(line.utf8)) } catch {
            throw failure("answered something other than JSON: \(String(line.prefix(80)).quoted())")
        }
    }

    /// Starts the process and waits for it to load the voice.
    private func start() throws(PhimError) -> (process: LineProcess, voiceRate: Int) {
        // -I: isolated from the user's PYTHONPATH and site folder; -u: unbuffered.
        // The process's errors name the voice; the closure holds the name, not this worker (which holds the process).
        let name = voice.name
        let process = try LineProcess(python, arguments: ["-I", "-u", "piper_worker.py", voice.model.path], prefix: "phim-piper",
                                      files: ["piper_worker.py": Self.script], ownTemporaryFolder: true,
                                      failure: { PhimError(.operationFailed, "Piper (voice \(name)) " + $0) })
        let reply: Reply
        do throws(PhimError) {
            reply = try decode(try process.readLine(deadline: MonotonicClock.now() + startTimeout, limit: startTimeout))
        } catch {
            process.stop()
            throw error
        }
        guard reply.ready == true, let rate = reply.sample_rate, (8_000...192_000).contains(rate) else {
            process.stop()
            throw PhimError(.invalidInput, "the Piper voice \(voice.model.displayPath.quoted()) does not load: \(reply.error ?? "no answer")",
                            subject: .option("voice"))
        }
        return (process, rate)
    }

    /// The Python program the process runs: turns off onnxruntime's telemetry events, loads the voice given as its argument (with Piper's phoneme alignments when
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
            # onnxruntime sends usage events to Microsoft unless told not to; Phim never lets a voice phone home.
            import onnxruntime
            if hasattr(onnxruntime, "disable_telemetry_events"):
                onnxruntime.disable_telemetry_events()
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
