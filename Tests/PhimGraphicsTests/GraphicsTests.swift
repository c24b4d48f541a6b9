import PhimCore
import PhimTesting
import Testing
@testable import PhimGraphics

/// Rows and columns where a picture has ink of a colour (within a tolerance).
private func inkBounds(_ pixels: PixelBuffer, where matches: (RGBA8) -> Bool) -> (minX: Int, minY: Int, maxX: Int, maxY: Int)? {
    var bounds: (Int, Int, Int, Int)?
    for y in 0..<pixels.height {
        for x in 0..<pixels.width where matches(pixels.pixel(x: x, y: y)) {
            if let b = bounds { bounds = (min(b.0, x), min(b.1, y), max(b.2, x), max(b.3, y)) } else { bounds = (x, y, x, y) }
        }
    }
    return bounds.map { (minX: $0.0, minY: $0.1, maxX: $0.2, maxY: $0.3) }
}

@Suite struct CanvasTests {
    @Test func linearGradientRunsBetweenItsColours() {
        var buffer = PixelBuffer(size: PixelSize(width: 200, height: 20))
        buffer.draw { canvas in
            canvas.fill(.linearGradient(colors: [.black, .white], start: Point(x: 0, y: 0), end: Point(x: 200, y: 0)))
        }
        #expect(buffer.pixel(x: 0, y: 10).r < 5)
        #expect(abs(Int(buffer.pixel(x: 100, y: 10).r) - 128) < 4)
        #expect(buffer.pixel(x: 199, y: 10).r > 250)
    }

    @Test func radialGradientIsBrightAtTheCentre() {
        var buffer = PixelBuffer(size: PixelSize(width: 100, height: 100))
        buffer.draw { $0.fill(.radialGradient(colors: [.white, .black], center: Point(x: 50, y: 50), radius: 50)) }
        #expect(buffer.pixel(x: 50, y: 50).r > 245)
        #expect(buffer.pixel(x: 99, y: 50).r < 10)
    }

    @Test func halfOpaqueDrawBlends() {
        var buffer = PixelBuffer(size: PixelSize(width: 10, height: 10))
        buffer.fill(.black)
        var white = PixelBuffer(size: PixelSize(width: 10, height: 10))
        white.fill(.white)
        buffer.draw { $0.draw(white, in: Rect(x: 0, y: 0, width: 10, height: 10), opacity: 0.5) }
        #expect(abs(Int(buffer.pixel(x: 5, y: 5).g) - 128) <= 2)
    }

    @Test func scaledImageCoversItsRect() {
        var red = PixelBuffer(size: PixelSize(width: 4, height: 4))
        red.fill(Color(red: 1, green: 0, blue: 0))
        let image = GraphicsImage(red)
        #expect(image.isOpaque)
        var buffer = PixelBuffer(size: PixelSize(width: 100, height: 100))
        buffer.fill(.black)
        buffer.draw { $0.draw(image, in: Rect(x: 25, y: 25, width: 50, height: 50)) }
        #expect(buffer.pixel(x: 50, y: 50) == RGBA8(r: 255, g: 0, b: 0))
        #expect(buffer.pixel(x: 10, y: 10) == RGBA8(r: 0, g: 0, b: 0))
        #expect(buffer.pixel(x: 80, y: 50) == RGBA8(r: 0, g: 0, b: 0))
    }

    @Test func circleClipRevealsOnlyTheCircle() {
        var buffer = PixelBuffer(size: PixelSize(width: 100, height: 100))
        buffer.fill(.black)
        buffer.draw { canvas in
            canvas.clip(toCircle: Point(x: 50, y: 50), radius: 20)
            canvas.fill(.color(.white))
        }
        #expect(buffer.pixel(x: 50, y: 50).r == 255)
        #expect(buffer.pixel(x: 50, y: 75).r == 0)
        #expect(buffer.pixel(x: 5, y: 5).r == 0)
    }
}

@Suite struct TextTests {
    @Test func drawsTextInItsColour() throws {
        let layout = try TextLayout(text: "Hello", style: TextStyle(fontSize: 40, color: Color(red: 1, green: 1, blue: 0)))
        var buffer = PixelBuffer(size: PixelSize(width: 300, height: 100))
        buffer.fill(.black)
        buffer.draw { $0.draw(layout, at: Point(x: 10, y: 10)) }
        let ink = try #require(inkBounds(buffer) { $0.r > 200 && $0.g > 200 && $0.b < 60 })
        #expect(ink.minX >= 10 && ink.maxX <= 10 + Int(layout.size.width) + 1)
        #expect(ink.maxY - ink.minY > 20)
        #expect(layout.size.width > 80 && layout.size.width < 200)
    }

    @Test func vietnameseDiacriticsAreDrawnAboveAndBelow() throws {
        func bounds(_ text: String) throws -> (minX: Int, minY: Int, maxX: Int, maxY: Int) {
            let layout = try TextLayout(text: text, style: TextStyle(fontSize: 60))
            var buffer = PixelBuffer(size: PixelSize(width: 200, height: 140))
            buffer.fill(.black)
            buffer.draw { $0.draw(layout, at: Point(x: 20, y: 20)) }
            return try #require(inkBounds(buffer) { $0.r > 128 })
        }
        let plain = try bounds("E")
        let stacked = try bounds("Ệ")   // circumflex above, dot below
        #expect(stacked.minY < plain.minY - 5, "the circumflex rises above the E")
        #expect(stacked.maxY > plain.maxY + 3, "the dot sits below the E")
        // Decomposed input shapes the same as precomposed (NFC).
        let decomposed = try bounds("E\u{0323}\u{0302}")
        #expect(decomposed.minY == stacked.minY && decomposed.maxY == stacked.maxY)
    }

    @Test func longTextWrapsWithinTheWidth() throws {
        let text = "Phim turns an article into a finished video on your own machine, with narration and subtitles."
        let layout = try TextLayout(text: text, style: TextStyle(fontSize: 30), maxWidth: 400)
        #expect(layout.lineCount >= 3)
        #expect(layout.size.width <= 400)
        let oneLine = try TextLayout(text: text, style: TextStyle(fontSize: 30))
        #expect(oneLine.lineCount == 1)
    }

    @Test func outlineAndBoxGrowTheBlock() throws {
        let plain = try TextLayout(text: "Xin chào", style: TextStyle(fontSize: 40))
        let boxed = try TextLayout(text: "Xin chào", style: TextStyle(fontSize: 40, outlineColor: .black, outlineWidth: 3,
                                                                     boxColor: Color(red: 0, green: 0, blue: 0, alpha: 0.6)))
        #expect(boxed.size.width > plain.size.width + 2 * 3 + 2 * 0.35 * 40 - 1)
        let image = boxed.rendered().pixels()
        // The box's corner area is translucent black; the centre has white glyph pixels or box.
        let corner = image.pixel(x: 10, y: Int(boxed.size.height) / 2)
        #expect(corner.a > 100 && corner.r < 40)
    }

    @Test func missingFontIsAClearError() {
        let error = #expect(throws: PhimError.self) {
            try TextLayout(text: "x", style: TextStyle(fontFamily: "No Such Font Family"), subject: .field("clips[0].layers[1].font"))
        }
        #expect(error?.description.hasPrefix("clips[0].layers[1].font: font 'No Such Font Family' is not installed") == true)
        #expect(FontCatalog.contains("dejavu sans"))
    }
}
