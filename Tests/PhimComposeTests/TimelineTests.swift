import Foundation
import PhimCore
import Testing
@testable import PhimCompose

@Suite struct TimelineTests {
    /// A project of layer-less clips: (duration, outgoing transition) each.
    static func project(_ clips: [(Double, TransitionSpec?)], fps: FrameRate = FrameRate(30)) -> Project {
        Project(size: PixelSize(width: 640, height: 360), frameRate: fps,
                clips: clips.enumerated().map { Clip(duration: $1.0, transition: $1.1, layers: [], fieldPath: "clips[\($0)]") },
                baseDirectory: URL(fileURLWithPath: "/"))
    }

    static func dissolve(_ duration: Double, _ easing: Easing = .easeInOut) -> TransitionSpec {
        TransitionSpec(kind: .dissolve, duration: duration, easing: easing)
    }

    /// Checks everything the compositor relies on, frame by frame.
    static func checkInvariants(_ timeline: Timeline, of project: Project, sourceLocation: SourceLocation = #_sourceLocation) {
        let clips = timeline.clips
        #expect(clips.count == project.clips.count, sourceLocation: sourceLocation)
        #expect(timeline.frameCount == project.frameRate.frameIndex(at: project.nominalDuration),
                "total = round((Σd − Σt) × fps)", sourceLocation: sourceLocation)
        #expect(clips.first?.startFrame == 0, sourceLocation: sourceLocation)
        #expect(clips.last?.endFrame == timeline.frameCount, sourceLocation: sourceLocation)
        for (index, clip) in clips.enumerated() {
            #expect(clip.index == index && clip.frameCount > 0, sourceLocation: sourceLocation)
            guard index + 1 < clips.count else {
                #expect(clip.transitionOut == nil, sourceLocation: sourceLocation)
                continue
            }
            let next = clips[index + 1]
            #expect(next.startFrame >= clip.startFrame && next.endFrame > clip.endFrame, "monotonic", sourceLocation: sourceLocation)
            #expect(next.startFrame <= clip.endFrame, "no gap between clips", sourceLocation: sourceLocation)
            if index > 0 {
                #expect(next.startFrame >= clips[index - 1].endFrame, "at most two clips overlap", sourceLocation: sourceLocation)
            }
            if let transition = clip.transitionOut {
                #expect(transition.startFrame == next.startFrame && transition.endFrame == clip.endFrame,
                        sourceLocation: sourceLocation)
                #expect(transition.frameCount > 0 && transition.fromClip == index, sourceLocation: sourceLocation)
                #expect(next.transitionIn == transition, sourceLocation: sourceLocation)
            } else {
                #expect(next.startFrame == clip.endFrame, "a cut", sourceLocation: sourceLocation)
                #expect(next.transitionIn == nil, sourceLocation: sourceLocation)
            }
            #expect(abs(clip.startTime + clip.duration - (project.clips[index].transition?.duration ?? 0) - next.startTime) < 1e-9,
                    sourceLocation: sourceLocation)
        }
        // Every frame shows exactly the clips whose frame range contains it.
        for frame in 0..<timeline.frameCount {
            let shown = timeline.activeClips(atFrame: frame)
            let expected = clips.filter { $0.startFrame <= frame && frame < $0.endFrame }.map(\.index)
            #expect(shown.clips.map(\.clip.index) == expected, "frame \(frame)", sourceLocation: sourceLocation)
            #expect((shown.transition != nil) == (expected.count == 2), sourceLocation: sourceLocation)
            for active in shown.clips {
                #expect(active.localFrame == frame - active.clip.startFrame, sourceLocation: sourceLocation)
            }
        }
    }

    @Test func threeClipsWithDissolves() throws {
        let project = Self.project([(3, Self.dissolve(0.5)), (3, Self.dissolve(0.5)), (3, nil)])
        let timeline = try TimelineResolver.resolve(project)
        #expect(timeline.frameCount == 240)
        #expect(timeline.duration == 8)
        #expect(timeline.clips.map(\.startFrame) == [0, 75, 150])
        #expect(timeline.clips.map(\.endFrame) == [90, 165, 240])
        #expect(timeline.clips.map(\.startTime) == [0, 2.5, 5])
        #expect(timeline.transitions == [
            ResolvedTransition(kind: .dissolve, easing: .easeInOut, fromClip: 0, startFrame: 75, frameCount: 15, nominalDuration: 0.5),
            ResolvedTransition(kind: .dissolve, easing: .easeInOut, fromClip: 1, startFrame: 150, frameCount: 15, nominalDuration: 0.5),
        ])
        Self.checkInvariants(timeline, of: project)
    }

    @Test func ntscRateWithThirdsOfASecond() throws {
        let third = 1.0 / 3
        let project = Self.project(Array(repeating: (third, nil), count: 90), fps: FrameRate(29.97))
        #expect(project.frameRate.rate == Rational(30000, 1001))
        let timeline = try TimelineResolver.resolve(project)
        // 30 s at 30000/1001 fps is 899.1 frames.
        #expect(timeline.frameCount == 899)
        // Each third of a second is 9.99 frames: boundaries round from exact times, so lengths are 9 or 10, never drifting.
        #expect(Set(timeline.clips.map(\.frameCount)).isSubset(of: [9, 10]))
        for clip in timeline.clips {
            #expect(clip.startFrame == Int((Double(clip.index) * third * 30000 / 1001).rounded()))
        }
        Self.checkInvariants(timeline, of: project)
    }

    @Test func transitionsThatRoundToNoFramesAreCuts() throws {
        // Clip 1 starts at 1.99 s (frame 59.7 → 60) and clip 0 ends at 2 s (frame 60): no frame overlaps.
        // Clip 2 starts at 3.985 s (119.55 → 120) and clip 1 ends at 3.99 s (119.7 → 120): none again.
        let project = Self.project([(2, Self.dissolve(0.01)), (2, TransitionSpec(kind: .wipeleft, duration: 0.005)), (2, nil)])
        let timeline = try TimelineResolver.resolve(project)
        #expect(timeline.transitions.isEmpty)
        #expect(timeline.clips.map(\.startFrame) == [0, 60, 120])
        #expect(timeline.frameCount == 180)  // (6 − 0.015) × 30 = 179.55
        Self.checkInvariants(timeline, of: project)

        // A transition of one frame's length is kept.
        let oneFrame = try TimelineResolver.resolve(Self.project([(2, Self.dissolve(1.0 / 30)), (2, nil)]))
        #expect(oneFrame.transitions.map(\.frameCount) == [1])
        #expect(oneFrame.activeClips(atFrame: 59).transition?.linearProgress == 0.5)
    }

    @Test func lastClipsTransitionIsIgnored() throws {
        let project = Self.project([(2, Self.dissolve(0.5)), (2, Self.dissolve(1))])
        let timeline = try TimelineResolver.resolve(project)
        #expect(timeline.frameCount == 105)
        #expect(timeline.clips[1].transitionOut == nil)
        #expect(project.nominalDuration == 3.5)
    }

    @Test(arguments: [FrameRate(23.976), FrameRate(25), FrameRate(29.97), FrameRate(60), FrameRate(Rational(24, 1))])
    func manyAwkwardClipsStayExact(_ rate: FrameRate) throws {
        var clips: [(Double, TransitionSpec?)] = []
        for index in 0..<120 {
            let duration = 0.7 + Double(index % 7) * 0.123 + 1.0 / 3
            let transition = index % 3 == 0 ? nil : Self.dissolve(Double(index % 3) * 0.1 + 1.0 / 7, index % 2 == 0 ? .linear : .easeIn)
            clips.append((duration, transition))
        }
        let project = Self.project(clips, fps: rate)
        let timeline = try TimelineResolver.resolve(project)
        let exact = project.nominalDuration * Double(rate.rate.numerator) / Double(rate.rate.denominator)
        #expect(timeline.frameCount == Int(exact.rounded()))
        Self.checkInvariants(timeline, of: project)
    }

    @Test func progressAtTransitionMidpoints() throws {
        // 15 frames (odd): the middle frame is exactly halfway, eased or not.
        let odd = try TimelineResolver.resolve(Self.project([(3, Self.dissolve(0.5)), (3, nil)]))
        let transition = try #require(odd.transitions.first)
        let middle = odd.activeClips(atFrame: transition.startFrame + 7)
        #expect(middle.transition?.linearProgress == 0.5)
        #expect(middle.transition?.progress == 0.5)
        #expect(middle.outgoing.clip.index == 0 && middle.incoming?.clip.index == 1)
        #expect(middle.outgoing.localFrame == 82 && middle.incoming?.localFrame == 7)
        #expect(abs((middle.incoming?.localTime ?? 0) - 7.0 / 30) < 1e-12)
        #expect(abs(middle.time - 82.0 / 30) < 1e-12)

        // 16 frames (even): the two middle frames straddle 0.5 symmetrically.
        let even = try TimelineResolver.resolve(Self.project([(3, Self.dissolve(16.0 / 30)), (3, nil)]))
        let evenTransition = try #require(even.transitions.first)
        #expect(evenTransition.frameCount == 16)
        let before = try #require(even.activeClips(atFrame: evenTransition.startFrame + 7).transition)
        let after = try #require(even.activeClips(atFrame: evenTransition.startFrame + 8).transition)
        #expect(abs((before.progress + after.progress) / 2 - 0.5) < 1e-12)
        #expect(abs(before.progress - 0.5) < 0.1)

        // Progress rises through the transition, strictly inside (0, 1), and follows the easing.
        let easedIn = try TimelineResolver.resolve(Self.project([(3, Self.dissolve(0.5, .easeIn)), (3, nil)]))
        var last = 0.0
        for frame in easedIn.transitions[0].startFrame..<easedIn.transitions[0].endFrame {
            let state = try #require(easedIn.activeClips(atFrame: frame).transition)
            #expect(state.progress > last && state.progress < 1)
            #expect(state.progress == Easing.easeIn.apply(state.linearProgress))
            last = state.progress
        }
        #expect(easedIn.activeClips(atFrame: 82).transition?.progress == 0.125)
    }

    @Test func clipsShorterThanAFrameAreRefused() {
        do {
            _ = try TimelineResolver.resolve(Self.project([(1, nil), (0.01, nil)]))
            Issue.record("resolved a clip with no frames")
        } catch {
            #expect(error.description == "clips[1].duration: 0.01 s is shorter than one frame at 30 fps")
        }
    }

    @Test func dryRunText() throws {
        let project = Self.project([(3, Self.dissolve(0.5)), (2, nil), (1.5, TransitionSpec(kind: .wipeleft, duration: 0.25, easing: .linear)),
                                    (2.25, nil)])
        let timeline = try TimelineResolver.resolve(project)
        // Clip 4 starts at 5.75 s, frame 172.5, which rounds half away from zero to 173.
        #expect(timeline.description == """
            clip 1: 0.000 – 3.000 s, frames 0..<90 (90), then dissolve 0.5 s (15 frames, easeInOut)
            clip 2: 2.500 – 4.500 s, frames 75..<135 (60), then cut
            clip 3: 4.500 – 6.000 s, frames 135..<180 (45), then wipeleft 0.25 s (7 frames, linear)
            clip 4: 5.767 – 8.000 s, frames 173..<240 (67), end
            total: 8.000 s, 240 frames at 30 fps
            """)
        let ntsc = try TimelineResolver.resolve(Self.project([(1, nil)], fps: FrameRate(29.97)))
        #expect(ntsc.description.hasSuffix("total: 1.001 s, 30 frames at 29.970 fps (30000/1001)"))
    }

    @Test func easingCurves() {
        for easing in Easing.allCases {
            #expect(easing.apply(0) == 0 && easing.apply(1) == 1)
            #expect(easing.apply(-1) == 0 && easing.apply(2) == 1)
            var previous = 0.0
            for step in 1...100 {
                let value = easing.apply(Double(step) / 100)
                #expect(value >= previous)
                previous = value
            }
        }
        #expect(Easing.linear.apply(0.3) == 0.3)
        #expect(Easing.easeIn.apply(0.5) == 0.125)
        #expect(Easing.easeOut.apply(0.5) == 0.875)
        #expect(Easing.easeInOut.apply(0.5) == 0.5)
        for t in stride(from: 0.0, through: 1, by: 0.05) {
            #expect(abs(Easing.easeInOut.apply(t) + Easing.easeInOut.apply(1 - t) - 1) < 1e-12, "symmetric")
        }
    }

    @Test func loadedExampleResolves() throws {
        let fixture = try ProjectFixture()
        let project = try ProjectLoader.load(from: exampleCopy("demo.json", in: fixture))
        let timeline = try TimelineResolver.resolve(project)
        Self.checkInvariants(timeline, of: project)
        #expect(timeline.description.split(separator: "\n").count == project.clips.count + 1)
    }
}
