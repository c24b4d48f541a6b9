import Foundation
import Testing
import PhimCore
import PhimMedia

/// Whether this test binary was built without optimisation (`swift test` defaults to debug).
let isDebugBuild: Bool = {
    #if DEBUG
    return true
    #else
    return false
    #endif
}()

/// Speed of the DSP on a minute of 48 kHz stereo. Run with `swift test -c release --filter AudioThroughput`.
@Suite(.serialized) struct AudioThroughputTests {
    @Test(.enabled(if: !isDebugBuild, "timings mean something only in an optimised build (swift test -c release)"))
    func oneMinuteOfStereoThroughMeterAndLimiter() {
        let seconds = 60.0
        let rate = TestSignal.rate
        let noise = TestSignal.whiteNoise(amplitude: 1.5, seconds: seconds, seed: 21)
        let tone = TestSignal.sine(frequency: 997, amplitude: 1, seconds: seconds)
        let signal = zip(noise, tone).map { $0 + $1 }
        let chunk = 4_800 * 2

        func time(_ body: () -> Void) -> Double {
            let start = MonotonicClock.now()
            body()
            return MonotonicClock.now() - start
        }
        var meter = LoudnessMeter(sampleRate: rate, channelCount: 2)
        let meterTime = time {
            signal.withUnsafeBufferPointer { buffer in
                for start in stride(from: 0, to: buffer.count, by: chunk) {
                    meter.process(UnsafeBufferPointer(rebasing: buffer[start..<min(buffer.count, start + chunk)]))
                }
            }
        }
        var limiter = TruePeakLimiter(sampleRate: rate, channelCount: 2)
        var limited = [Float]()
        limited.reserveCapacity(signal.count)
        let limiterTime = time {
            signal.withUnsafeBufferPointer { buffer in
                for start in stride(from: 0, to: buffer.count, by: chunk) {
                    limiter.process(UnsafeBufferPointer(rebasing: buffer[start..<min(buffer.count, start + chunk)]),
                                    appendingTo: &limited)
                }
            }
            limiter.flush(appendingTo: &limited)
        }
        var ducker = Ducker(sampleRate: rate)
        var ducked = [Float]()
        ducked.reserveCapacity(signal.count)
        let duckerTime = time {
            signal.withUnsafeBufferPointer { buffer in
                for start in stride(from: 0, to: buffer.count, by: chunk) {
                    let slice = UnsafeBufferPointer(rebasing: buffer[start..<min(buffer.count, start + chunk)])
                    ducker.process(music: slice, speech: slice, appendingTo: &ducked)
                }
            }
        }
        var mix = [Float](repeating: 0, count: signal.count)
        let mixTime = time {
            signal.withUnsafeBufferPointer { source in
                mix.withUnsafeMutableBufferPointer { destination in
                    for _ in 0..<8 { Gain.accumulate(source, into: destination, gain: 0.25) }
                }
            }
        }
        print(String(format: "throughput (60 s, 48 kHz stereo): meter %.3f s, limiter %.3f s, ducker %.3f s, 8 mixes %.3f s; I %.2f LUFS, TP %.2f dBTP",
                     meterTime, limiterTime, duckerTime, mixTime, meter.integratedLoudness, meter.truePeak))
        #expect(limited.count == signal.count && ducked.count == signal.count)
        #expect(meterTime + limiterTime < 1)
    }
}
