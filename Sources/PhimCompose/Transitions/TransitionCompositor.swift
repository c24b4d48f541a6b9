import PhimCore
import PhimGraphics

/// Draws the frames of a transition: the outgoing clip's frame `from`, the incoming clip's frame `to`, and the
/// eased progress between them.
enum TransitionCompositor {
    /// Composes one transition frame on `canvas` (which is the output frame's size).
    /// - Parameters:
    ///   - progress: eased progress, 0 (all `from`) to 1 (all `to`).
    static func draw(_ kind: TransitionKind, progress: Double, from: PixelBuffer, to: PixelBuffer, on canvas: Canvas) {
        let p = min(max(progress, 0), 1)
        let w = Double(canvas.size.width), h = Double(canvas.size.height)
        let full = Rect(x: 0, y: 0, width: w, height: h)
        switch kind {
        case .cut:
            canvas.draw(p < 0.5 ? from : to, in: full, blend: .source)
        case .fade:
            canvas.fill(.color(.black), blend: .source)
            if p < 0.5 {
                canvas.draw(from, in: full, opacity: 1 - 2 * p)
            } else {
                canvas.draw(to, in: full, opacity: 2 * p - 1)
            }
        case .dissolve:
            canvas.draw(from, in: full, blend: .source)
            canvas.draw(to, in: full, opacity: p)
        case .wipeleft, .wiperight, .wipeup, .wipedown:
            canvas.draw(from, in: full, blend: .source)
            let edge: Rect = switch kind {
            case .wipeleft: Rect(x: w * (1 - p), y: 0, width: w * p, height: h)
            case .wiperight: Rect(x: 0, y: 0, width: w * p, height: h)
            case .wipeup: Rect(x: 0, y: h * (1 - p), width: w, height: h * p)
            default: Rect(x: 0, y: 0, width: w, height: h * p)
            }
            canvas.withSavedState {
                canvas.clip(to: edge)
                canvas.draw(to, in: full, blend: .source)
            }
        case .slideleft, .slideright:
            let direction = kind == .slideleft ? -1.0 : 1.0
            let offset = (w * p).rounded()
            canvas.draw(from, in: Rect(x: direction * offset, y: 0, width: w, height: h), blend: .source)
            canvas.draw(to, in: Rect(x: direction * (offset - w), y: 0, width: w, height: h), blend: .source)
        case .zoomin:
            let scale = 1 + 0.5 * p
            canvas.fill(.color(.black), blend: .source)
            canvas.draw(from, in: Rect(x: w * (1 - scale) / 2, y: h * (1 - scale) / 2, width: w * scale, height: h * scale))
            canvas.draw(to, in: full, opacity: p)
        case .circleopen, .circleclose:
            let reach = (w * w + h * h).squareRoot() / 2
            let center = Point(x: w / 2, y: h / 2)
            if kind == .circleopen {
                canvas.draw(from, in: full, blend: .source)
                canvas.withSavedState {
                    canvas.clip(toCircle: center, radius: reach * p)
                    canvas.draw(to, in: full, blend: .source)
                }
            } else {
                canvas.draw(to, in: full, blend: .source)
                canvas.withSavedState {
                    canvas.clip(toCircle: center, radius: reach * (1 - p))
                    canvas.draw(from, in: full, blend: .source)
                }
            }
        }
    }
}
