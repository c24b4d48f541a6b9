import Foundation
import PhimCore
import PhimScript
import PhimSpeech

/// A scene with its narration spoken.
struct NarratedScene: Sendable {
    var scene: ScriptScene
    var speech: SpeechClip
}

/// The narration laid out in time: who speaks when, and the silences between.
struct NarrationPlan: Sendable {
    var script: Script
    var scenes: [NarratedScene]
    /// Silence before the first scene speaks.
    var leadIn: Double
    /// Silence after scene `i` (one fewer than scenes).
    var pauses: [Double]
    /// Silence after the last scene.
    var tail: Double
    /// The speaking rate used, as a multiple of the requested one (0.9...1.1 when a duration was fitted).
    var rateFactor: Double

    var speechSeconds: Double { scenes.reduce(0) { $0 + $1.speech.duration } }
    var totalSeconds: Double { leadIn + speechSeconds + pauses.reduce(0, +) + tail }
}

/// Fits narration to an exact duration by choosing sentences, the pauses between scenes and the speaking rate
/// (within ±10 %), never by cutting a word. Without a duration, everything the script writer chose is spoken at
/// the requested rate with natural pauses.
struct NarrationFitter {
    static let leadIn = 0.4
    static let minPause = 0.55
    static let naturalPause = 0.8
    static let maxPause = 1.6
    static let minTail = 0.8
    static let naturalTail = 1.4
    static let maxTail = 3.0
    static let rateTolerance = 0.10

    /// Writes a script of at most so many words (nil: all).
    var write: (Int?) -> Script
    var minimumWords: Int
    var availableWords: Int
    /// Speaks a scene's narration at a rate factor; called from several threads at once.
    var speak: @Sendable (String, Double) throws(PhimError) -> SpeechClip
    /// Measured words per second at factor 1.
    var wordsPerSecond: Double
    /// The script is given (by an LLM) and may not be shortened: if it does not fit, ``plan(target:)`` throws.
    var isFixed = false

    /// Clips already spoken, by rate factor and text. `@unchecked Sendable`: guarded by a lock.
    private final class Cache: @unchecked Sendable {
        private var clips: [String: SpeechClip] = [:]
        private let lock = NSLock()
        func clip(_ key: String) -> SpeechClip? { lock.withLock { clips[key] } }
        func store(_ key: String, _ clip: SpeechClip) { lock.withLock { clips[key] = clip } }
    }
    private let cache = Cache()

    init(write: @escaping (Int?) -> Script, minimumWords: Int, availableWords: Int,
         speak: @escaping @Sendable (String, Double) throws(PhimError) -> SpeechClip, wordsPerSecond: Double) {
        self.write = write
        self.minimumWords = minimumWords
        self.availableWords = availableWords
        self.speak = speak
        self.wordsPerSecond = wordsPerSecond
    }

    /// Each scene of `script` spoken at `factor`, the scenes not yet spoken at that factor on several threads at once
    /// (Festival and command engines run one process each; espeak-ng serialises itself).
    func narrate(_ script: Script, factor: Double) throws(PhimError) -> [NarratedScene] {
        let spoken = script.scenes.filter { !$0.narration.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        let keys = spoken.map { "\(factor)|\($0.narration)" }
        var missing: [Int] = []
        for (index, key) in keys.enumerated() where cache.clip(key) == nil && !missing.contains(where: { keys[$0] == key }) {
            missing.append(index)
        }
        let speak = self.speak
        let clips = try missing.concurrentMap { (index) throws(PhimError) -> SpeechClip in try speak(spoken[index].narration, factor) }
        for (index, clip) in zip(missing, clips) { cache.store(keys[index], clip) }
        return spoken.indices.map { NarratedScene(scene: spoken[$0], speech: cache.clip(keys[$0])!) }
    }

    static func overhead(scenes: Int) -> Double { leadIn + minTail + minPause * Double(max(0, scenes - 1)) }

    /// A fixed script (``isFixed``, an LLM's) that needs more time than the target, even spoken faster.
    struct FixedScriptTooLong: Error {
        /// Why, as a user reads it.
        let reason: String
    }

    /// The plan for `target` seconds, or for the text's own length when nil.
    /// - Returns: the plan, or ``FixedScriptTooLong`` when the fixed script does not fit (the caller may then let the
    ///   built-in writer choose what fits).
    /// - Throws: `PhimError` (`--duration`) when not even one sentence fits.
    func plan(target: Double?) throws(PhimError) -> Result<NarrationPlan, FixedScriptTooLong> {
        do {
            return .success(try fittedPlan(target: target))
        } catch {
            switch error {
            case .tooLong(let reason): return .failure(FixedScriptTooLong(reason: reason))
            case .failed(let error): throw error
            }
        }
    }

    /// What stops a plan.
    private enum Stop: Error {
        case tooLong(String)
        case failed(PhimError)
    }

    private func fittedPlan(target: Double?) throws(Stop) -> NarrationPlan {
        func narrate(_ script: Script, factor: Double) throws(Stop) -> [NarratedScene] {
            do { return try self.narrate(script, factor: factor) } catch { throw .failed(error) }
        }
        guard let target else {
            let script = write(nil)
            let scenes = try narrate(script, factor: 1)
            return NarrationPlan(script: script, scenes: scenes, leadIn: Self.leadIn,
                                 pauses: Array(repeating: Self.naturalPause, count: max(0, scenes.count - 1)),
                                 tail: Self.naturalTail, rateFactor: 1)
        }
        var budget = max(minimumWords, Int(wordsPerSecond * (target - Self.overhead(scenes: max(2, Int(target / 9))))))
        var best: NarrationPlan?
        var bestSlack = Double.infinity
        var tried = Set<Int>()
        for _ in 0..<10 {
            let script = write(min(max(budget, minimumWords), availableWords))
            guard tried.insert(script.wordCount).inserted else { break }
            var scenes = try narrate(script, factor: 1)
            let available = target - Self.overhead(scenes: scenes.count)
            var speech = scenes.reduce(0) { $0 + $1.speech.duration }
            var factor = 1.0
            if speech > available {
                // Faster, within the tolerance; two tries since espeak's rate is not exactly proportional.
                for _ in 0..<2 where speech > available {
                    let wanted = factor * speech / max(available, 0.01) * 1.01
                    guard wanted <= 1 + Self.rateTolerance + 1e-9 else { break }
                    factor = wanted
                    scenes = try narrate(script, factor: factor)
                    speech = scenes.reduce(0) { $0 + $1.speech.duration }
                }
                if speech > available {
                    if isFixed {
                        throw .tooLong(String(format: "its script needs %.0f s of narration even at +10 %% speed, more than %g s",
                                              speech + Self.overhead(scenes: scenes.count), target))
                    }
                    guard script.wordCount > minimumWords else { break }
                    budget = min(script.wordCount - 1, Int(Double(script.wordCount) * available / speech * 0.97))
                    continue
                }
            }
            let plan = distribute(script: script, scenes: scenes, factor: factor, target: target)
            if best == nil || plan.slack < bestSlack {
                best = plan.plan
                bestSlack = plan.slack
            }
            // Too much silence left: say more if the text has more.
            if plan.slack > 0, script.wordCount < availableWords {
                budget = script.wordCount + max(1, Int(wordsPerSecond * plan.slack * 0.9))
                continue
            }
            break
        }
        // Still too much silence and nothing more to say: speak a little slower.
        if let current = best, bestSlack > 0 {
            let speech = current.speechSeconds
            let slower = max(1 - Self.rateTolerance, current.rateFactor * speech / (speech + bestSlack))
            if slower < current.rateFactor {
                let scenes = try narrate(current.script, factor: slower)
                if scenes.reduce(0, { $0 + $1.speech.duration }) <= target - Self.overhead(scenes: scenes.count) {
                    best = distribute(script: current.script, scenes: scenes, factor: slower, target: target).plan
                }
            }
        }
        if let best { return best }
        do { return try singleSentencePlan(target: target) } catch { throw .failed(error) }
    }

    /// Spreads the time not spoken over the pauses (up to ``maxPause``) and the ending (the closing card holds).
    /// `slack` is what remains beyond the natural maxima: positive means the video would be mostly silence.
    private func distribute(script: Script, scenes: [NarratedScene], factor: Double, target: Double) -> (plan: NarrationPlan, slack: Double) {
        let speech = scenes.reduce(0) { $0 + $1.speech.duration }
        let gaps = max(0, scenes.count - 1)
        var free = target - speech - Self.overhead(scenes: scenes.count)
        var pause = Self.minPause
        if gaps > 0 {
            pause = min(Self.maxPause, Self.minPause + free * 0.7 / Double(gaps))
            free -= (pause - Self.minPause) * Double(gaps)
        }
        let tail = Self.minTail + free
        let slack = tail - Self.maxTail
        return (NarrationPlan(script: script, scenes: scenes, leadIn: Self.leadIn, pauses: Array(repeating: pause, count: gaps),
                              tail: tail, rateFactor: factor), max(0, slack))
    }

    /// The last resort: the best sentence alone, as fast as allowed.
    private func singleSentencePlan(target: Double) throws(PhimError) -> NarrationPlan {
        let minimum = write(minimumWords)
        guard let body = minimum.scenes.first(where: { $0.role == .body }) ?? minimum.scenes.first,
              let sentence = body.sentences.min(by: { Script.wordCount(of: $0) < Script.wordCount(of: $1) }) else {
            throw PhimError(.invalidInput, "the text has nothing to narrate", subject: .option("duration"))
        }
        var scene = body
        scene.sentences = [sentence]
        var script = minimum
        script.scenes = [scene]
        let factor = 1 + Self.rateTolerance
        let scenes = try narrate(script, factor: factor)
        let speech = scenes.reduce(0) { $0 + $1.speech.duration }
        let needed = speech + Self.overhead(scenes: 1)
        guard needed <= target else {
            throw PhimError(.invalidInput,
                            String(format: "%g s is too short for one sentence of narration; the shortest needs %.1f s", target, needed),
                            subject: .option("duration"))
        }
        return distribute(script: script, scenes: scenes, factor: factor, target: target).plan
    }
}
