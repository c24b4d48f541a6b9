import Foundation
import PhimCore
import PhimGraphics

/// A reliability diagram: for ten bins of predicted probability, the share of items in the bin that were generated
/// (a bar, its width the bin's, drawn only for bins with items) against the diagonal a calibrated detector follows,
/// with each bin's count under it.
public enum ReliabilityPlot {
    public static func write(probabilities: [Double], labels: [Bool], to url: URL) throws(PhimError) {
        let size = PixelSize(width: 640, height: 640)
        let left = 60.0, bottom = 60.0, top = 30.0, right = 30.0
        let plot = Double(size.width) - left - right
        func point(_ x: Double, _ y: Double) -> Point { Point(x: left + x * plot, y: Double(size.height) - bottom - y * plot) }
        var bins = [(count: Int, hits: Int)](repeating: (0, 0), count: 10)
        for (p, label) in zip(probabilities, labels) {
            let b = min(9, max(0, Int(p * 10)))
            bins[b].count += 1
            bins[b].hits += label ? 1 : 0
        }
        var picture = PixelBuffer(size: size)
        var failure: PhimError?
        picture.draw { canvas in
            canvas.fill(.color(Color(red: 0.1, green: 0.1, blue: 0.12)), blend: .source)
            let axis = Color(red: 0.6, green: 0.6, blue: 0.6)
            for (b, bin) in bins.enumerated() where bin.count > 0 {
                let share = Double(bin.hits) / Double(bin.count)
                let corner = point(Double(b) / 10, share), base = point(Double(b + 1) / 10, 0)
                canvas.fill(rect: Rect(x: corner.x + 2, y: corner.y, width: base.x - corner.x - 4, height: base.y - corner.y),
                            with: .color(Color(red: 0.3, green: 0.65, blue: 0.95)))
            }
            canvas.stroke(polyline: [point(0, 0), point(1, 1)], color: Color(red: 0.95, green: 0.45, blue: 0.3), width: 2)
            canvas.stroke(polyline: [point(0, 1), point(0, 0), point(1, 0)], color: axis, width: 1.5)
            do throws(PhimError) {
                let style = TextStyle(fontSize: 13, color: axis, alignment: .left)
                canvas.draw(try TextLayout(text: "predicted probability of generated →", style: style), at: Point(x: left, y: Double(size.height) - 28))
                canvas.draw(try TextLayout(text: "share generated (bars) against the diagonal of a calibrated detector", style: style),
                            at: Point(x: left, y: 8))
                for (b, bin) in bins.enumerated() where bin.count > 0 {
                    canvas.draw(try TextLayout(text: "\(bin.count)", style: style), at: Point(x: point(Double(b) / 10 + 0.03, 0).x, y: Double(size.height) - bottom + 6))
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        try picture.writePNG(to: url)
    }
}
