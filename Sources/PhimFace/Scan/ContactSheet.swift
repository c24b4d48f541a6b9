import Foundation
import PhimCore
import PhimGraphics

extension FaceScan {
    /// A PNG of every identity's best portrait, numbered as `--target-face` takes them, with how often and from when
    /// they are seen.
    public func writeContactSheet(to url: URL) throws(PhimError) {
        let side = FaceScanner.portraitSide, gap = 12, caption = 44
        let columns = max(1, min(identities.count, 6))
        let rows = max(1, (identities.count + columns - 1) / columns)
        let size = PixelSize(width: gap + columns * (side + gap), height: gap + rows * (side + caption + gap))
        var sheet = PixelBuffer(size: size)
        let number = TextStyle(fontSize: 26, bold: true, color: .white, outlineColor: .black, outlineWidth: 3, alignment: .left)
        let detail = TextStyle(fontSize: 13, color: Color(red: 0.85, green: 0.85, blue: 0.85), alignment: .left)
        try sheet.draw { (canvas) throws(PhimError) in
            canvas.fill(rect: Rect(x: 0, y: 0, width: Double(size.width), height: Double(size.height)),
                        with: .color(Color(red: 0.12, green: 0.12, blue: 0.14)))
            if identities.isEmpty {
                canvas.draw(try TextLayout(text: "no faces", style: detail), at: Point(x: 16, y: 16))
            }
            for (index, identity) in identities.enumerated() {
                let x = Double(gap + (index % columns) * (side + gap)), y = Double(gap + (index / columns) * (side + caption + gap))
                canvas.draw(identity.portrait, in: Rect(x: x, y: y, width: Double(side), height: Double(side)))
                canvas.draw(try TextLayout(text: "\(identity.number)", style: number), at: Point(x: x + 6, y: y + 4))
                let seen = String(format: "%d× · %.1f–%.1f s", identity.appearances, identity.firstSeen, identity.lastSeen)
                canvas.draw(try TextLayout(text: seen, style: detail), at: Point(x: x, y: y + Double(side) + 6))
            }
        }
        try sheet.writePNG(to: url)
    }
}
