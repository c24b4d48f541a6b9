internal import CEspeak
import Foundation
import PhimCore

/// Turns an espeak-ng status into a `PhimError` naming the C call, or returns quietly on success
/// (the `syscall(blocking:where:_:)` idea: every status goes through here).
/// - Parameters:
///   - status: what the call returned.
///   - call: the espeak-ng function that returned it.
func espeakCheck(_ status: espeak_ng_STATUS, _ call: StaticString, code: PhimError.Code = .operationFailed,
                 subject: PhimError.Subject? = nil, function: String = #function, file: String = #fileID, line: Int = #line) throws(PhimError) {
    guard status != ENS_OK else { return }
    var buffer = [CChar](repeating: 0, count: 512)
    espeak_ng_GetStatusCodeMessage(status, &buffer, buffer.count)
    let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    throw PhimError(code, "espeak-ng: \(call) failed: \(reason.isEmpty ? "status \(status.rawValue)" : reason)",
                    subject: subject, function: function, file: file, line: line)
}

/// The same for the older `espeak_*` calls, which return an `espeak_ERROR`.
func espeakCheck(_ result: espeak_ERROR, _ call: StaticString, code: PhimError.Code = .operationFailed,
                 subject: PhimError.Subject? = nil, function: String = #function, file: String = #fileID, line: Int = #line) throws(PhimError) {
    let reason: String
    switch result {
    case EE_OK: return
    case EE_BUFFER_FULL: reason = "its buffer is full"
    case EE_NOT_FOUND: reason = "not found"
    default: reason = "internal error (\(result.rawValue))"
    }
    throw PhimError(code, "espeak-ng: \(call) failed: \(reason)", subject: subject, function: function, file: file, line: line)
}

/// What one `espeak_Synth` call produced.
struct EspeakOutput {
    var samples: [Float]
    var sampleRate: Int
    var marks: [WordMark]
}

/// espeak-ng's library state (its data, the current voice, rate, pitch and the output callback) is global to the
/// process, so every call into it happens under ``lock``. The synthesis callback writes into a ``Capture`` reached
/// through the `user_data` pointer of each call, never through global Swift state.
enum EspeakEngine {
    /// Serialises every espeak-ng call in the process.
    private static let lock = NSLock()
    private enum State {
        case uninitialized
        case ready(sampleRate: Int, dataFolder: String)
        case failed(PhimError)
    }
    /// Guarded by `lock`.
    nonisolated(unsafe) private static var state = State.uninitialized

    /// Where one synthesis collects its output; owned by the synthesising call, lent to the C callback.
    private final class Capture {
        var samples: [Int16] = []
        var marks: [WordMark] = []
    }

    /// espeak-ng calls this (synchronously, inside `espeak_Synth`) with each run of 16-bit samples and the events
    /// that fall in it. Every event carries the `user_data` given to `espeak_Synth`: the `Capture`.
    private static let callback: @convention(c) (UnsafeMutablePointer<Int16>?, Int32, UnsafeMutablePointer<espeak_EVENT>?) -> Int32 = {
        wav, count, events in
        guard var event = events, let context = event.pointee.user_data else { return 0 }
        let capture = Unmanaged<Capture>.fromOpaque(context).takeUnretainedValue()
        if let wav, count > 0 { capture.samples.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count))) }
        while event.pointee.type != espeakEVENT_LIST_TERMINATED {
            if event.pointee.type == espeakEVENT_WORD {
                // `text_position` counts Unicode scalars from 1 (not UTF-8 bytes); `sample` counts from the message start.
                capture.marks.append(WordMark(scalarOffset: Int(event.pointee.text_position) - 1, sample: Int(event.pointee.sample)))
            }
            event += 1
        }
        return 0
    }

    /// Runs `body` holding the lock, with espeak-ng initialised.
    /// - Throws: the initialisation error (every time, once it has failed), or what `body` throws.
    static func withEngine<T>(_ body: (_ sampleRate: Int, _ dataFolder: String) throws(PhimError) -> T) throws(PhimError) -> T {
        lock.lock()
        defer { lock.unlock() }
        switch state {
        case .ready(let sampleRate, let dataFolder):
            return try body(sampleRate, dataFolder)
        case .failed(let error):
            throw error
        case .uninitialized:
            do {
                let (sampleRate, dataFolder) = try initialize()
                state = .ready(sampleRate: sampleRate, dataFolder: dataFolder)
                return try body(sampleRate, dataFolder)
            } catch {
                if case .uninitialized = state { state = .failed(error) }
                throw error
            }
        }
    }

    /// Loads espeak-ng's data (from `ESPEAK_DATA_PATH/espeak-ng-data` when set, else the installed folder) and sets up
    /// synchronous output to ``callback``. Caller holds the lock.
    private static func initialize() throws(PhimError) -> (Int, String) {
        espeak_ng_InitializePath(nil)
        var path: UnsafePointer<CChar>?
        _ = espeak_Info(&path)
        let dataFolder = path.map { String(cString: $0) } ?? ""
        if let problem = dataFolderProblem(dataFolder) { throw problem }
        var context: espeak_ng_ERROR_CONTEXT?
        let status = espeak_ng_Initialize(&context)
        if context != nil { espeak_ng_ClearErrorContext(&context) }
        try espeakCheck(status, "espeak_ng_Initialize")
        // espeak-ng 1.51 opens an audio device (through libpcaudio) even for synchronous output, which Phim never
        // plays: libpulse then tries the user's sound server and, with no XDG_RUNTIME_DIR, leaves a `pulse-…` folder in
        // TMPDIR and a symlink to it in ~/.config/pulse. Naming a server that cannot exist stops that (a server the user
        // named is kept).
        setenv("PULSE_SERVER", "unix:/nonexistent/phim-plays-no-sound", 0)
        try espeakCheck(espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 200, nil), "espeak_ng_InitializeOutput")
        espeak_SetSynthCallback(callback)
        let sampleRate = Int(espeak_ng_GetSampleRate())
        guard sampleRate > 0 else { throw PhimError(.operationFailed, "espeak-ng: espeak_ng_GetSampleRate gave \(sampleRate)") }
        return (sampleRate, dataFolder)
    }

    /// Why `folder` cannot serve as espeak-ng's data folder, or `nil` when it can.
    static func dataFolderProblem(_ folder: String) -> PhimError? {
        let phonemeTable = URL(fileURLWithPath: folder).appendingPathComponent("phontab").path
        guard folder.isEmpty || !FileManager.default.fileExists(atPath: phonemeTable) else { return nil }
        return PhimError(.operationFailed, "espeak-ng data not found in \(folder.quoted()): install espeak-ng-data, or set "
                         + "ESPEAK_DATA_PATH to the folder that holds espeak-ng-data")
    }

    /// Speaks `text` (already NFC) with `voice`, whose settings the caller has validated.
    /// - Throws: `PhimError` `.invalidInput` for an unknown voice or language, `.operationFailed` when espeak-ng fails.
    /// - Complexity: O(n) in the length of the text; espeak-ng works far faster than real time.
    static func speak(_ text: String, voice: VoiceSettings) throws(PhimError) -> EspeakOutput {
        try withEngine { (sampleRate, dataFolder) throws(PhimError) in
            try select(voice, dataFolder: dataFolder)
            try espeakCheck(espeak_SetParameter(espeakRATE, Int32(voice.wordsPerMinute.rounded()), 0), "espeak_SetParameter")
            try espeakCheck(espeak_SetParameter(espeakPITCH, Int32(voice.pitch), 0), "espeak_SetParameter")
            let capture = Capture()
            let context = Unmanaged.passUnretained(capture).toOpaque()
            let result = withExtendedLifetime(capture) {
                text.withCString { pointer in
                    espeak_Synth(pointer, strlen(pointer) + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil, context)
                }
            }
            try espeakCheck(result, "espeak_Synth")
            var samples = [Float](repeating: 0, count: capture.samples.count)
            for index in capture.samples.indices { samples[index] = Float(capture.samples[index]) / 32768 }
            return EspeakOutput(samples: samples, sampleRate: sampleRate, marks: capture.marks)
        }
    }

    /// Makes `voice` espeak-ng's current voice. Caller holds the lock.
    private static func select(_ voice: VoiceSettings, dataFolder: String) throws(PhimError) {
        if let name = voice.voice {
            let parts = name.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let unknown = PhimError(.invalidInput, "unknown espeak-ng voice \(name.quoted())" + suggestions(for: voice.language),
                                    subject: .option("voice"))
            guard !name.isEmpty, !parts[0].isEmpty, !name.contains(".."), !name.hasPrefix("/") else { throw unknown }
            // espeak-ng quietly ignores an unknown variant ("en+nobody"), so variants are checked against its folder.
            if parts.count == 2, !variantNames(dataFolder: dataFolder).contains(parts[1]) {
                throw PhimError(.invalidInput, "unknown espeak-ng voice variant \(String(describing: parts[1]).quoted()) in \(name.quoted()) (variants: "
                                + variantNames(dataFolder: dataFolder).prefix(12).joined(separator: ", ") + ", …)", subject: .option("voice"))
            }
            // MBROLA voices (`mb-us1`) need the mbrola program and the voice's data; without them espeak-ng prints
            // several lines of its own to stderr before failing, so they are checked here first.
            if parts[0].hasPrefix("mb-") {
                let data = String(parts[0].dropFirst(3))
                let hasData = ["/usr/share/mbrola/\(data)", "/usr/share/mbrola/\(data)/\(data)", "/usr/share/mbrola/voices/\(data)"]
                    .contains { FileManager.default.fileExists(atPath: $0) }
                let hasProgram = ["/usr/bin/mbrola", "/usr/local/bin/mbrola"].contains { FileManager.default.isExecutableFile(atPath: $0) }
                guard !data.isEmpty, hasData, hasProgram else {
                    throw PhimError(.invalidInput, "the MBROLA voice \(name.quoted()) is not installed (apt-get install mbrola mbrola-\(data))",
                                    subject: .option("voice"))
                }
            }
            let result = espeak_SetVoiceByName(name)
            if result == EE_NOT_FOUND { throw unknown }
            try espeakCheck(result, "espeak_SetVoiceByName", subject: .option("voice"))
        } else {
            let language = voice.language.lowercased().replacingOccurrences(of: "_", with: "-")
            var spec = espeak_VOICE()
            let result = language.withCString { pointer in
                spec.languages = pointer
                return espeak_SetVoiceByProperties(&spec)
            }
            if result == EE_NOT_FOUND || language.isEmpty {
                throw PhimError(.invalidInput, "espeak-ng has no voice for language \(voice.language.quoted())", subject: .option("lang"))
            }
            try espeakCheck(result, "espeak_SetVoiceByProperties", subject: .option("lang"))
        }
    }

    private static func suggestions(for language: String) -> String {
        let names = voiceNamesLocked(language: language)
        return names.isEmpty ? "" : "; voices for \(language.quoted()): " + names.joined(separator: ", ")
    }

    /// Voice names espeak-ng accepts for `language` (its own tag and regional variants). Caller holds the lock.
    static func voiceNamesLocked(language: String) -> [String] {
        let wanted = language.lowercased().replacingOccurrences(of: "_", with: "-")
        guard let list = espeak_ListVoices(nil) else { return [] }
        var names = Set<String>()
        var index = 0
        while let voice = list[index] {
            index += 1
            guard let identifier = voice.pointee.identifier, var entry = voice.pointee.languages else { continue }
            // `languages`: repeated [priority byte][name][0], ended by a zero priority byte.
            var matches = false
            while entry.pointee != 0 {
                let tag = String(cString: entry + 1)
                if wanted.isEmpty || tag == wanted || tag.hasPrefix(wanted + "-") { matches = true }
                entry += strlen(entry + 1) + 2
            }
            if matches, let name = String(cString: identifier).split(separator: "/").last { names.insert(name.lowercased()) }
        }
        return names.sorted()
    }

    /// Every voice espeak-ng lists, with the first language it names, sorted by name. Caller holds the lock.
    static func voiceListLocked() -> [EspeakVoice] {
        guard let list = espeak_ListVoices(nil) else { return [] }
        var voices: [String: EspeakVoice] = [:]
        var index = 0
        while let voice = list[index] {
            index += 1
            guard let identifier = voice.pointee.identifier, let entry = voice.pointee.languages, entry.pointee != 0,
                  let name = String(cString: identifier).split(separator: "/").last?.lowercased() else { continue }
            // `languages` starts with a priority byte, then the first tag.
            voices[name] = voices[name] ?? EspeakVoice(name: name, language: String(cString: entry + 1))
        }
        return voices.values.sorted { $0.name < $1.name }
    }

    /// Voice variants (`f3`, `m1`, `klatt`…) from the data folder's `voices/!v`.
    static func variantNames(dataFolder: String) -> [String] {
        let folder = URL(fileURLWithPath: dataFolder).appendingPathComponent("voices").appendingPathComponent("!v").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }
}
