import Foundation
import PhimCore
import PhimGraphics
import PhimMedia
import PhimProvenance
import PhimTensor

/// Pictures of generated clips: a PNG grid (a row a clip, its frames across) and an MP4 of the clips side by side.
public enum SampleSheet {
    /// Each clip's frames as pictures: `clips` is `[count, 3, frames, size, size]` in -1…1.
    public static func frames(_ clips: Tensor) throws -> [[PixelBuffer]] {
        let count = try clips.size(0), frames = try clips.size(2), size = try clips.size(3)
        let bytes: [UInt8] = try ((clips.detach().clamp(min: -1, max: 1) + 1) * 127.5).round().to(.uint8)
            .permute([0, 2, 3, 4, 1]).contiguous().toArray()
        return (0..<count).map { clip in
            (0..<frames).map { frame in
                var pixels = PixelBuffer(size: PixelSize(width: size, height: size))
                let base = (clip * frames + frame) * size * size * 3, rowBytes = pixels.bytesPerRow
                pixels.withUnsafeMutableBytes { out in
                    for y in 0..<size {
                        for x in 0..<size {
                            let p = base + (y * size + x) * 3, q = y * rowBytes + x * 4
                            out[q] = bytes[p + 2]
                            out[q + 1] = bytes[p + 1]
                            out[q + 2] = bytes[p]
                            out[q + 3] = 255
                        }
                    }
                }
                return pixels
            }
        }
    }

    /// A PNG: one row a clip, at most `columns` of its frames across (evenly spaced), each frame doubled in size
    /// when small, with a thin gap.
    public static func writeGrid(_ clips: Tensor, columns: Int = 8, to url: URL) throws {
        let all = try frames(clips)
        guard let first = all.first?.first else { return }
        let cell = first.width < 96 ? first.width * 2 : first.width, gap = 2
        let shown = min(columns, all[0].count)
        let picks = (0..<shown).map { shown == 1 ? 0 : $0 * (all[0].count - 1) / (shown - 1) }
        var sheet = PixelBuffer(size: PixelSize(width: shown * (cell + gap) + gap, height: all.count * (cell + gap) + gap))
        sheet.draw { canvas in
            canvas.fill(.color(Color(red: 0.12, green: 0.12, blue: 0.12)), blend: .source)
            for (row, clip) in all.enumerated() {
                for (column, frame) in picks.enumerated() {
                    canvas.draw(clip[frame], in: Rect(x: Double(gap + column * (cell + gap)), y: Double(gap + row * (cell + gap)),
                                                      width: Double(cell), height: Double(cell)), filter: .nearest)
                }
            }
        }
        try sheet.writePNG(to: url)
    }

    /// An MP4 of the clips tiled in rows of four (each frame doubled when small), labelled as trained-model output.
    public static func writeVideo(_ clips: Tensor, fps: Int, to url: URL) throws {
        let all = try frames(clips)
        guard let first = all.first?.first else { return }
        let cell = first.width < 96 ? first.width * 2 : first.width
        let across = min(4, all.count), down = (all.count + across - 1) / across
        let size = PixelSize(width: (across * cell + 1) / 2 * 2, height: (down * cell + 1) / 2 * 2)
        let count = all[0].count
        let source = GeneratedFrames(count: count) { index in
            var frame = PixelBuffer(size: size)
            frame.draw { canvas in
                canvas.fill(.color(.black), blend: .source)
                for (n, clip) in all.enumerated() {
                    canvas.draw(clip[index], in: Rect(x: Double(n % across * cell), y: Double(n / across * cell),
                                                      width: Double(cell), height: Double(cell)), filter: .nearest)
                }
            }
            return frame
        }
        let export = VideoExport(video: VideoEncoderSettings(size: size, frameRate: FrameRate(Double(fps)), crf: 18, preset: "veryfast"),
                                 provenance: Provenance(sourceType: MadeFrom(trainedModels: true).sourceType),
                                 metadata: ["comment": "Phim video GAN samples"])
        _ = try export.write(source, frameCount: count, to: url)
    }
}

/// The loss history: `losses.csv` (step, discriminator, generator, reconstruction, r1), appended as training goes,
/// and its plot.
struct LossHistory {
    let url: URL
    private(set) var rows: [(step: Int, losses: GANLosses)] = []
    private var pending = ""

    /// Reads what a resumed run wrote up to `resumeAt` (later lines, from after the last checkpoint, are dropped).
    init(url: URL, resumeAt step: Int) throws(PhimError) {
        self.url = url
        if step > 0, let text = try? String(contentsOf: url, encoding: .utf8) {
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard fields.count == 5, let s = Int(fields[0]), s <= step, let d = Double(fields[1]), let g = Double(fields[2]),
                      let r = Double(fields[3]) else { continue }
                rows.append((s, GANLosses(discriminator: d, generator: g, reconstruction: r, r1: Double(fields[4]))))
            }
        }
        pending = "step,discriminator,generator,reconstruction,r1\n" + rows.map(Self.line).joined()
    }

    static func line(_ row: (step: Int, losses: GANLosses)) -> String {
        "\(row.step),\(row.losses.discriminator),\(row.losses.generator),\(row.losses.reconstruction),\(row.losses.r1.map { String($0) } ?? "")\n"
    }

    mutating func append(step: Int, _ losses: GANLosses) {
        rows.append((step, losses))
        pending += Self.line((step, losses))
    }

    /// Writes `losses.csv` whole and `losses.png` beside it (called at checkpoints, so the CSV matches them).
    func plot(to png: URL) throws(PhimError) {
        try OutputFile.write(Data(pending.utf8), to: url)
        try LossPlot.write(series: [
            ("discriminator", Color(red: 0.95, green: 0.45, blue: 0.3), rows.map { ($0.step, $0.losses.discriminator) }),
            ("generator", Color(red: 0.3, green: 0.65, blue: 0.95), rows.map { ($0.step, $0.losses.generator) }),
            ("reconstruction", Color(red: 0.5, green: 0.85, blue: 0.4), rows.map { ($0.step, $0.losses.reconstruction) }),
        ], to: png)
    }
}

/// A line plot of loss curves (each smoothed over a window of about 1 % of the steps) with a legend and axes.
public enum LossPlot {
    public static func write(series: [(name: String, color: Color, points: [(Int, Double)])], to url: URL) throws(PhimError) {
        let size = PixelSize(width: 960, height: 480)
        let left = 70.0, right = 20.0, top = 40.0, bottom = 40.0
        let smoothed = series.map { entry -> (String, Color, [(Double, Double)]) in
            let window = max(1, entry.points.count / 100)
            var sum = 0.0
            var out: [(Double, Double)] = []
            for (index, point) in entry.points.enumerated() {
                sum += point.1
                if index >= window { sum -= entry.points[index - window].1 }
                out.append((Double(point.0), sum / Double(min(index + 1, window))))
            }
            return (entry.name, entry.color, out.filter { $0.1.isFinite })
        }
        let xs = smoothed.flatMap { $0.2.map(\.0) }, ys = smoothed.flatMap { $0.2.map(\.1) }
        guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max() else { return }
        let spanX = max(maxX - minX, 1), spanY = max(maxY - minY, 1e-6)
        func point(_ x: Double, _ y: Double) -> Point {
            Point(x: left + (x - minX) / spanX * (Double(size.width) - left - right),
                  y: Double(size.height) - bottom - (y - minY) / spanY * (Double(size.height) - top - bottom))
        }
        var picture = PixelBuffer(size: size)
        var failure: PhimError?
        picture.draw { canvas in
            canvas.fill(.color(Color(red: 0.1, green: 0.1, blue: 0.12)), blend: .source)
            let axis = Color(red: 0.6, green: 0.6, blue: 0.6)
            canvas.stroke(polyline: [point(minX, maxY), point(minX, minY), point(maxX, minY)], color: axis, width: 1.5)
            do throws(PhimError) {
                let style = TextStyle(fontSize: 13, color: axis, alignment: .left)
                for (value, at) in [(maxY, point(minX, maxY)), (minY, point(minX, minY))] {
                    canvas.draw(try TextLayout(text: String(format: "%.3g", value), style: style), at: Point(x: 8, y: at.y - 8))
                }
                canvas.draw(try TextLayout(text: "step \(Int(minX))", style: style), at: Point(x: left, y: Double(size.height) - 28))
                let end = try TextLayout(text: "step \(Int(maxX))", style: style)
                canvas.draw(end, at: Point(x: Double(size.width) - right - end.size.width, y: Double(size.height) - 28))
                var legendX = left + 10
                for (name, color, points) in smoothed {
                    if points.count > 1 { canvas.stroke(polyline: points.map { point($0.0, $0.1) }, color: color, width: 1.5) }
                    let label = try TextLayout(text: name, style: TextStyle(fontSize: 14, color: color, alignment: .left))
                    canvas.draw(label, at: Point(x: legendX, y: 10))
                    legendX += label.size.width + 24
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        try picture.writePNG(to: url)
    }
}
