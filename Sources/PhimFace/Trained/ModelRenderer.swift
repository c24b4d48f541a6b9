import Foundation
import PhimCore
import PhimNN
import PhimTensor

/// The trained swap's drawing: the target's face is cut out upright (``FaceAlignment``), the model's source decoder
/// draws the source's face from it (in the target's pose, expression and light), and the drawing is put back where
/// the face was, its coverage being the model's own mask (faded over the crop's last pixels).
///
/// A face larger in the frame than the model's crop is drawn from a smaller picture, so it comes out soft. The
/// target's own fine detail (what a blur about one crop pixel wide takes out of the frame: skin texture, grain) can be
/// laid over it (``detail``), which carries no features of the target's larger than that.
public final class ModelRenderer: FaceRenderer, @unchecked Sendable {
    public let model: SwapModel
    /// How much of the target's fine detail goes over the drawing (0: none).
    public var detail: Float

    public init(model: SwapModel, detail: Float = 0) {
        self.model = model
        self.detail = detail
        model.eval()
    }

    public func render(onto target: FaceLandmarks, in frame: PixelBuffer, over rect: PixelRect) throws(PhimError) -> (image: RGBImage, coverage: [Float]) {
        let n = model.config.size
        let alignment = FaceAlignment(landmarks: target, size: n)
        let (drawn, mask) = try draw(alignment.crop(frame), size: n)
        var image = RGBImage(width: rect.width, height: rect.height, origin: (rect.x, rect.y))
        var coverage = [Float](repeating: 0, count: rect.pixelCount)
        let side = Double(n)
        for y in 0..<rect.height {
            for x in 0..<rect.width {
                let c = alignment.transform.apply(Point(x: Double(rect.x + x), y: Double(rect.y + y)))
                // Fade over the crop's outermost 2 pixels, where the drawing ends.
                let edge = min(c.x, c.y, side - c.x, side - c.y)
                guard edge > 0 else { continue }
                let k = y * rect.width + x
                let (r, g, b) = drawn.sample(x: c.x - 0.5, y: c.y - 0.5)
                image.values[3 * k] = r
                image.values[3 * k + 1] = g
                image.values[3 * k + 2] = b
                coverage[k] = mask.sample(x: c.x - 0.5, y: c.y - 0.5).0 / 255 * Float(min(1, edge / 2))
            }
        }
        // A crop pixel spans this many frame pixels: detail finer than that is the target's to give.
        let span = alignment.transform.inverse.scale
        if detail > 0, span >= 1.5 {
            let picture = RGBImage(frame, rect: rect)
            let smooth = Relighting.blurred(picture, weights: coverage, radius: max(1, Int((span / 2).rounded())))
            for k in coverage.indices where coverage[k] > 0 {
                for c in 0..<3 {
                    let i = 3 * k + c
                    image.values[i] = min(max(image.values[i] + detail * (picture.values[i] - smooth[i]), 0), 255)
                }
            }
        }
        return (image, coverage)
    }

    /// The source decoder's face and mask for one aligned crop (RGB bytes), as `n × n` images in 0…255 (the mask in
    /// every channel).
    func draw(_ crop: [UInt8], size n: Int) throws(PhimError) -> (face: RGBImage, mask: RGBImage) {
        do {
            return try withNoGrad {
                let input = try crop.withUnsafeBytes { try Tensor(bytes: $0, shape: [1, n, n, 3], dtype: .uint8) }
                    .permute([0, 3, 1, 2]).to(.float32).div(255)
                let (face, mask) = try model.drawSource(input)
                var image = RGBImage(width: n, height: n)
                image.values = try (face.squeeze(dim: 0).permute([1, 2, 0]) * 255).contiguous().toArray()
                var alpha = RGBImage(width: n, height: n)
                let values: [Float] = try (mask.squeeze(dim: 0).squeeze(dim: 0) * 255).contiguous().toArray()
                alpha.values = values.flatMap { [$0, $0, $0] }
                return (image, alpha)
            }
        } catch {
            throw PhimError(.operationFailed, "the model could not draw the face: \(error)", subject: .option("model"))
        }
    }
}
