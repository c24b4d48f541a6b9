import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimMedia

/// Inputs made by the `ffmpeg` program (an independent writer): a phone-style rotated video and a variable
/// frame rate one.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg"), "needs the ffmpeg program to make the inputs"))
struct RotationAndVFRTests {
    let folder = TemporaryFolder("phim-media-ffmpeg")

    func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-loglevel", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ffmpeg \(arguments.joined(separator: " "))")
    }

    @Test func rotatedVideoDecodesUpright() throws {
        // Red left half, blue right half, tagged to be shown turned 90° clockwise.
        let plain = folder.file("plain.mp4"), rotated = folder.file("rotated.mp4"), reference = folder.file("upright.png")
        try ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=32x32:d=1,format=yuv420p", "-f", "lavfi", "-i",
                    "color=c=blue:s=32x32:d=1,format=yuv420p", "-filter_complex", "hstack", "-c:v", "libx264", "-crf", "0",
                    plain.path])
        try ffmpeg(["-i", plain.path, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated.path])
        // ffmpeg's own player logic (autorotate) as the reference picture.
        try ffmpeg(["-i", rotated.path, "-frames:v", "1", reference.path])
        let info = try MediaProbe.probe(rotated)
        let stream = try #require(info.primaryVideo)
        #expect(stream.width == 64 && stream.height == 32)
        #expect(stream.rotation == 90 || stream.rotation == 270)
        #expect(stream.displaySize == PixelSize(width: 32, height: 64))
        let frame = try #require(try VideoDecoder(url: rotated).nextFrame()).pixels
        let expected = try ImageLoader.load(reference)
        #expect(frame.size == expected.size)
        for (x, y) in [(16, 8), (16, 56)] {
            #expect(frame.pixel(x: x, y: y).distance(to: expected.pixel(x: x, y: y)) < 24, "at (\(x), \(y))")
        }
        #expect(frame.pixel(x: 16, y: 8).distance(to: frame.pixel(x: 16, y: 56)) > 150, "the halves are now top and bottom")
    }

    @Test func variableFrameRateFramesShowAtTheirOwnTimes() throws {
        // One second of red at 10 fps, then one second of blue at 30 fps, in one stream.
        let url = folder.file("vfr.mp4")
        try ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=64x48:r=10:d=1", "-f", "lavfi", "-i", "color=c=blue:s=64x48:r=30:d=1",
                    "-filter_complex", "[0][1]concat=n=2:v=1:a=0,format=yuv420p", "-fps_mode", "vfr", "-enc_time_base", "1/30",
                    "-c:v", "libx264", "-preset", "ultrafast", url.path])
        let decoder = try VideoDecoder(url: url)
        var times: [Double] = []
        while let frame = try decoder.nextFrame() { times.append(frame.time) }
        #expect(times.count == 40)
        #expect(abs(times[9] - 0.9) < 1e-3 && abs(times[10] - 1.0) < 1e-3 && abs(times[11] - (1.0 + 1.0 / 30)) < 1e-3)
        let cursor = VideoFrameCursor(decoder: try VideoDecoder(url: url))
        let lateRed = try #require(try cursor.frame(at: 0.99))
        #expect(abs(lateRed.time - 0.9) < 1e-3 && lateRed.pixels.pixel(x: 32, y: 24).r > 200)
        let blue = try #require(try cursor.frame(at: 1.5))
        #expect(abs(blue.time - 1.5) < 0.034 && blue.pixels.pixel(x: 32, y: 24).b > 200)
    }
}
