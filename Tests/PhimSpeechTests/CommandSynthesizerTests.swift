import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimSpeech

private let hasFFmpeg = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")

@Suite struct CommandSynthesizerTests {
    /// A stand-in engine: ffmpeg writes a 3 s, 16 kHz tone with silences at 1.0...1.5 s and 2.5...3.0 s, one burst per
    /// sentence of "one two three. four five six.", and the script records its standard input and arguments.
    @Test(.enabled(if: hasFFmpeg, "needs the ffmpeg program to write the stand-in engine's WAV"))
    func timesTheEnginesAudio() throws {
        let folder = TemporaryFolder()
        let record = folder.file("record.txt").path
        let template = "cat > '\(record)'; printf '%s|%s|%s|%s' {text} {lang} {voice} {rate} >> '\(record)'; "
            + "ffmpeg -nostdin -v error -y -f lavfi "
            + "-i \"aevalsrc='if(between(t,1,1.5)+gte(t,2.5),0,0.5*sin(2*PI*440*t))':s=16000:d=3\" {output}"
        let synthesizer = try CommandSynthesizer(template: template)
        let text = "one two three. four five six's."
        let clip = try synthesizer.synthesize(text, voice: VoiceSettings(language: "en", wordsPerMinute: 150.4))
        #expect(try String(contentsOfFile: record, encoding: .utf8) == "\(text)\n\(text)|en|en|150")
        #expect(clip.sampleRate == 16_000)
        #expect(abs(clip.duration - 3) < 0.01)
        #expect(clip.words.map(\.text) == SampleText.tokens(text))
        #expect(SpeechSamples.isWellOrdered(clip.words, duration: clip.duration))
        // espeak-ng's sentence pause is matched to the engine's silence; onsets and ends land on the tone's edges.
        #expect(abs(clip.words[0].start - 0) < 0.01)
        #expect(abs(clip.words[2].end - 1.0) < 0.01)
        #expect(abs(clip.words[3].start - 1.5) < 0.01)
        #expect(abs(clip.words[5].end - 2.5) < 0.01)
        // Words between pauses share the sound in proportion to espeak-ng's reading.
        #expect(clip.words[1].start > 0.2 && clip.words[1].start < 0.6)
        #expect(clip.words[4].start > 1.6 && clip.words[4].start < 2.1)

        // With a fixed rate, FFmpeg's resampler converts: same length and timings, 48 kHz samples.
        let fixed = try CommandSynthesizer(template: template, sampleRate: 48_000)
            .synthesize(text, voice: VoiceSettings(language: "en", wordsPerMinute: 150.4))
        #expect(fixed.sampleRate == 48_000 && abs(fixed.duration - 3) < 0.01)
        #expect(abs(fixed.words[3].start - 1.5) < 0.01)
    }

    @Test func failingCommandsAreReported() throws {
        let failing = try CommandSynthesizer(template: "echo 'loading model' >&2; echo 'engine exploded' >&2; exit 3 # {output}")
        let status = #expect(throws: PhimError.self) { try failing.synthesize("Hello.", voice: VoiceSettings(language: "en")) }
        #expect(status?.code == .operationFailed)
        #expect(status?.description == "--tts-command: exited with status 3: engine exploded")

        let silent = try CommandSynthesizer(template: "true {output}")
        let nothing = #expect(throws: PhimError.self) { try silent.synthesize("Hello.", voice: VoiceSettings(language: "en")) }
        #expect(nothing?.description == "--tts-command: finished without writing a WAV file to {output}")

        let garbage = try CommandSynthesizer(template: "echo 'not a wav' > {output}")
        let unreadable = #expect(throws: PhimError.self) { try garbage.synthesize("Hello.", voice: VoiceSettings(language: "en")) }
        #expect(unreadable?.code == .operationFailed)
        #expect(unreadable?.message.hasPrefix("wrote audio that cannot be decoded") == true)

        var slow = try CommandSynthesizer(template: "sleep 5 # {output}")
        slow.timeout = 0.3
        let started = Date()
        let timedOut = #expect(throws: PhimError.self) { try slow.synthesize("Hello.", voice: VoiceSettings(language: "en")) }
        #expect(timedOut?.message == "did not finish within 0.3 s")
        #expect(Date().timeIntervalSince(started) < 3)

        let empty = #expect(throws: PhimError.self) { try garbage.synthesize(" ", voice: VoiceSettings(language: "en")) }
        #expect(empty?.code == .invalidInput)
    }

    @Test func templatesAreChecked() throws {
        let missing = #expect(throws: PhimError.self) { try CommandSynthesizer(template: "piper --model x.onnx") }
        #expect(missing?.code == .invalidInput)
        #expect(missing?.description == "--tts-command: the command must write its WAV file to {output}")
        let unknown = #expect(throws: PhimError.self) { try CommandSynthesizer(template: "tts {speed} {output}") }
        #expect(unknown?.message == "unknown placeholder {speed}; use {output}, {text}, {lang}, {voice}, {rate}")
        // Shell expansions like ${HOME} are left alone; values are quoted.
        let synthesizer = try CommandSynthesizer(template: "tts --home ${HOME} --voice {voice} --out {output} {text}")
        #expect(synthesizer.command(text: "it's \"fine\"", voice: VoiceSettings(language: "vi", voice: "vi_VN-vais1000"),
                                    output: "/tmp/a b.wav")
                == "tts --home ${HOME} --voice 'vi_VN-vais1000' --out '/tmp/a b.wav' 'it'\\''s \"fine\"'")
    }
}
