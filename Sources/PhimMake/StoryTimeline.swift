import Foundation
import PhimCore
import PhimScript
import PhimSpeech
import PhimSubtitles

/// The narration plan placed on frames: where each scene's clip starts and ends, where its speech starts, and
/// the words on the video's clock. Clips overlap by a short dissolve centred in the pause between two scenes,
/// so a transition never covers speech.
struct StoryTimeline {
    struct Scene {
        var narrated: NarratedScene
        /// The clip's first frame on the video's timeline.
        var startFrame: Int
        /// The clip's length in frames, including the transition into the next clip.
        var frameCount: Int
        /// When the scene's speech starts, seconds on the video's clock.
        var speechStart: Double
    }

    let frameRate: Int
    let transitionFrames: Int
    let totalFrames: Int
    let scenes: [Scene]

    /// - Parameter duration: the exact length asked for, or nil for the plan's own.
    init(plan: NarrationPlan, frameRate: Int, duration: Double?) {
        self.frameRate = frameRate
        let fps = Double(frameRate)
        transitionFrames = Int((0.4 * fps).rounded())
        var starts: [Double] = []
        var speechTime = plan.leadIn
        var clipStarts = [0]
        for (index, scene) in plan.scenes.enumerated() {
            starts.append(speechTime)
            let end = speechTime + scene.speech.duration
            if index < plan.pauses.count {
                let pause = plan.pauses[index]
                // The dissolve sits in the middle of the pause.
                let transitionStart = end + (pause - 0.4) / 2
                clipStarts.append(max(clipStarts.last! + transitionFrames + 1, Int((transitionStart * fps).rounded())))
                speechTime = end + pause
            } else {
                speechTime = end
            }
        }
        let lastSpeechEnd = speechTime
        let wanted = duration.map { Int(($0 * fps).rounded()) } ?? Int(((lastSpeechEnd + plan.tail) * fps).rounded(.up))
        totalFrames = max(wanted, (clipStarts.last ?? 0) + 1)
        var scenes: [Scene] = []
        for (index, narrated) in plan.scenes.enumerated() {
            let start = clipStarts[index]
            let frames = index + 1 < clipStarts.count ? clipStarts[index + 1] + transitionFrames - start : totalFrames - start
            scenes.append(Scene(narrated: narrated, startFrame: start, frameCount: frames, speechStart: starts[index]))
        }
        self.scenes = scenes
    }

    var duration: Double { Double(totalFrames) / Double(frameRate) }

    /// Every spoken word on the video's clock, scene by scene.
    func words(ofScene index: Int) -> [SpokenWord] {
        let scene = scenes[index]
        return scene.narrated.speech.words.map {
            SpokenWord(text: $0.text, start: $0.start + scene.speechStart, end: $0.end + scene.speechStart)
        }
    }

    /// The narration as one mono track of the whole video's length.
    func narrationSamples() -> (samples: [Float], sampleRate: Int) {
        let rate = scenes.first?.narrated.speech.sampleRate ?? 22_050
        var samples = [Float](repeating: 0, count: Int((duration * Double(rate)).rounded()))
        for scene in scenes {
            let offset = Int((scene.speechStart * Double(rate)).rounded())
            let speech = scene.narrated.speech
            // One synthesizer speaks every scene at one rate (a command engine's clips are decoded at a fixed rate).
            precondition(speech.sampleRate == rate, "narration clips at different sample rates")
            for (index, sample) in speech.samples.enumerated() where offset + index < samples.count {
                samples[offset + index] = sample
            }
        }
        return (samples, rate)
    }
}
