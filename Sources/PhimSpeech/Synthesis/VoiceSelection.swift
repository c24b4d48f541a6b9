import PhimCore

/// The engine and voice that speak a text, chosen from a voice option (`--voice`) and the text's language.
///
/// The option is one of:
/// - nothing: Festival with `cmu_us_slt_arctic_hts` for English when Festival and that voice are installed (espeak-ng
///   otherwise, with a warning that says how to install them); espeak-ng for Vietnamese and every other language;
/// - `festival` or `festival:NAME`: Festival, with the language's default voice or the installed voice NAME;
/// - `espeak-ng` or `espeak-ng:NAME` (also `espeak`, `espeak:NAME`): espeak-ng, with the language's voice or NAME;
/// - `piper` or `piper:NAME`: Piper (installed by `make voices`), with the first installed voice that speaks the
///   language, an installed voice NAME (`en_US-joe-medium`) or a model file (`piper:voices/vi_VN-x-medium.onnx`);
///   never chosen when the option is left out;
/// - any other name: an espeak-ng voice (`vi`, `en-us`, `en+f3`), as before Festival was added.
public struct VoiceSelection: Sendable {
    /// A speech engine Phim runs itself.
    public enum Engine: String, Sendable, Hashable, CaseIterable {
        case espeak = "espeak-ng"
        case festival
        case piper
    }

    /// What an option asks for, before anything is checked.
    public struct Request: Sendable, Hashable {
        /// The engine asked for, or nil to choose by language.
        public var engine: Engine?
        /// The engine's voice name, or nil for its default voice for the language.
        public var voice: String?

        public init(engine: Engine?, voice: String?) {
            self.engine = engine
            self.voice = voice
        }

        /// Parses a voice option (see ``VoiceSelection``).
        /// - Throws: `PhimError` `.invalidInput` about `--voice` for an empty name (`festival:`).
        public init(option: String?) throws(PhimError) {
            guard let option else {
                engine = nil
                voice = nil
                return
            }
            let parts = option.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            switch parts[0].lowercased() {
            case "festival": engine = .festival
            case "espeak-ng", "espeak": engine = .espeak
            case "piper": engine = .piper
            default:
                engine = .espeak
                voice = option
                return
            }
            voice = parts.count == 2 ? parts[1] : nil
            if voice?.isEmpty == true {
                throw PhimError(.invalidInput, "\(option.quoted()) names no voice; use \(parts[0]) alone for the language's default voice, "
                                + "or \(parts[0]):NAME", subject: .option("voice"))
            }
        }
    }

    /// The engine chosen.
    public var engine: Engine
    /// The voice name to put in ``VoiceSettings/voice``, or nil for the engine's default voice for the language.
    public var voice: String?
    /// The synthesizer that speaks with it, with the punctuation's pauses and intonation (``ProsodicSynthesizer``).
    public var synthesizer: any SpeechSynthesizer
    /// A `warning:` line to show (English spoken by espeak-ng because Festival is missing), or nil.
    public var warning: String?

    /// Chooses the engine and voice, and checks that they can speak the language.
    /// - Parameters:
    ///   - option: the voice option (see ``VoiceSelection``).
    ///   - language: the text's language (`en`, `vi`).
    ///   - festival: Festival's installation, or nil when it is not installed (default: found on the `PATH`).
    ///   - piper: Piper's installation, or nil when it is not installed (default: ``PiperInstallation/find(environment:)``).
    ///   - sampleRate: the rate every clip is decoded at when Festival speaks (so that clips, including those espeak-ng
    ///     speaks when Festival cannot, join); nil keeps each engine's own rate.
    ///   - warn: receives Festival's warnings while it speaks (a passage handed to espeak-ng).
    /// - Throws: `PhimError` `.invalidInput` about `--voice` when Festival is asked for but not installed (saying how
    ///   to install it), for an unknown Festival voice (listing the installed ones) or a language it does not speak;
    ///   `.operationFailed` when espeak-ng's data cannot be loaded. The same for Piper, and for a model file that is
    ///   missing or has no configuration.
    public static func choose(option: String?, language: String, festival: FestivalInstallation? = FestivalInstallation.find(),
                              piper: @autoclosure () -> PiperInstallation? = PiperInstallation.find(),
                              sampleRate: Int? = nil, warn: (@Sendable (String) -> Void)? = nil) throws(PhimError) -> VoiceSelection {
        let request = try Request(option: option)
        let english = primarySubtag(language) == "en"
        switch request.engine {
        case .festival:
            guard let festival else {
                throw PhimError(.invalidInput, "Festival is not installed (\(FestivalInstallation.installCommand)); or leave out --voice "
                                + "for espeak-ng", subject: .option("voice"))
            }
            let synthesizer = try FestivalSynthesizer(installation: festival, sampleRate: sampleRate, warn: warn)
            let voice = try synthesizer.festivalVoice(for: VoiceSettings(language: language, voice: request.voice))
            return VoiceSelection(engine: .festival, voice: voice.name, synthesizer: ProsodicSynthesizer(synthesizer), warning: nil)
        case .espeak:
            return VoiceSelection(engine: .espeak, voice: request.voice, synthesizer: ProsodicSynthesizer(try EspeakSynthesizer()), warning: nil)
        case .piper:
            guard let piper = piper() else {
                throw PhimError(.invalidInput, "Piper is not installed (\(PiperInstallation.installCommand)); or leave out --voice",
                                subject: .option("voice"))
            }
            let model: PiperVoice
            if let name = request.voice {
                model = try piper.voice(named: name)
            } else {
                guard let found = piper.defaultVoice(language: language) else {
                    let installed = piper.voices.isEmpty ? "none" : piper.voices.map { "\($0.name) (\($0.language))" }.joined(separator: ", ")
                    throw PhimError(.invalidInput, "no installed Piper voice speaks \(language.quoted()) (installed: \(installed)); "
                                    + "give a model file with --voice piper:NAME.onnx", subject: .option("voice"))
                }
                model = found
            }
            guard primarySubtag(model.language) == primarySubtag(language) else {
                throw PhimError(.invalidInput, "the Piper voice \(model.name) speaks \(model.language), not \(language.quoted())",
                                subject: .option("voice"))
            }
            return VoiceSelection(engine: .piper, voice: model.name,
                                  synthesizer: ProsodicSynthesizer(PiperSynthesizer(installation: piper, voice: model, sampleRate: sampleRate)), warning: nil)
        case nil:
            guard english else {
                return VoiceSelection(engine: .espeak, voice: nil, synthesizer: ProsodicSynthesizer(try EspeakSynthesizer()), warning: nil)
            }
            if let festival, let voice = festival.voice(named: FestivalInstallation.defaultVoiceName) {
                let synthesizer = try FestivalSynthesizer(installation: festival, sampleRate: sampleRate, warn: warn)
                return VoiceSelection(engine: .festival, voice: voice.name, synthesizer: ProsodicSynthesizer(synthesizer), warning: nil)
            }
            let missing = festival == nil ? "Festival is not installed" : "Festival's voice \(FestivalInstallation.defaultVoiceName) is not installed"
            return VoiceSelection(engine: .espeak, voice: nil, synthesizer: ProsodicSynthesizer(try EspeakSynthesizer()), warning:
                "warning: \(missing), so espeak-ng speaks the English narration, far less clearly: \(FestivalInstallation.installCommand)")
        }
    }

    private static func primarySubtag(_ tag: String) -> String { FestivalInstallation.primarySubtag(tag) }
}
