import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimScript

@Suite struct InputTextTests {
    let folder = TemporaryFolder("phim-script")

    private func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let url = folder.file(name)
        try Data(bytes).write(to: url)
        return url
    }

    @Test func readsUTF8AsNFC() throws {
        let url = try write(Array("Tie\u{0302}\u{0301}ng Việt\r\nline two\n".utf8), to: "a.txt")
        let text = try InputText.read(url)
        #expect(text == "Tiếng Việt\nline two\n")
    }

    @Test func byteOrderMarkIsAccepted() throws {
        let url = try write([0xEF, 0xBB, 0xBF] + Array("# Xin chào".utf8), to: "bom.md")
        #expect(try InputText.read(url) == "# Xin chào")
    }

    @Test func missingFile() {
        let error = caught { try InputText.read(folder.file("nope.txt")) }
        #expect(error?.code == .fileNotFound)
        #expect(error?.message == "no such file")
        #expect(error?.subject?.description.hasSuffix("nope.txt") == true)
    }

    @Test func emptyAndWhitespaceOnly() throws {
        let empty = try write([], to: "empty.txt")
        let error = caught { try InputText.read(empty) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message == "is empty")

        let blank = try write(Array(" \n\t\r\n  ".utf8), to: "blank.txt")
        let blankError = caught { try InputText.read(blank) }
        #expect(blankError?.code == .invalidInput)
        #expect(blankError?.message.hasPrefix("is empty") == true)

        let bomOnly = try write([0xEF, 0xBB, 0xBF], to: "bom-only.txt")
        #expect(caught { try InputText.read(bomOnly) }?.message == "is empty")
    }

    @Test func binaryFile() throws {
        let url = try write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D], to: "image.md")
        let error = caught { try InputText.read(url) }
        #expect(error?.code == .unreadableFile)
        #expect(error?.message.contains("binary") == true)
        #expect(error?.isInvalidInput == true)
    }

    @Test func invalidUTF8NamesTheOffset() throws {
        // "café" in Latin-1: the é is 0xE9 at offset 3.
        let url = try write([0x63, 0x61, 0x66, 0xE9, 0x20, 0x6E, 0x6F, 0x69, 0x72], to: "latin1.txt")
        let error = caught { try InputText.read(url) }
        #expect(error?.code == .unreadableFile)
        #expect(error?.message == "is not UTF-8 text (invalid byte 0xE9 at offset 3); save it as UTF-8")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func utf8Validation() {
        #expect(InputText.firstInvalidUTF8Offset(Array("Xin chào thế giới 👋".utf8)) == nil)
        #expect(InputText.firstInvalidUTF8Offset([0x41, 0x80]) == 1)             // stray continuation byte
        #expect(InputText.firstInvalidUTF8Offset([0x41, 0xC0, 0x80]) == 1)       // overlong
        #expect(InputText.firstInvalidUTF8Offset([0xED, 0xA0, 0x80]) == 0)       // surrogate
        #expect(InputText.firstInvalidUTF8Offset([0x41, 0x42, 0xE2, 0x82]) == 2) // truncated at the end
        #expect(InputText.firstInvalidUTF8Offset([0xF4, 0x90, 0x80, 0x80]) == 0) // past U+10FFFF
    }

    @Test func utf16IsNamed() throws {
        let url = try write([0xFF, 0xFE, 0x41, 0x00], to: "utf16.txt")
        let error = caught { try InputText.read(url) }
        #expect(error?.message.contains("UTF-16") == true)
    }

    @Test func folderAndOversize() throws {
        #expect(caught { try InputText.read(folder.url) }?.code == .unreadableFile)
        let big = folder.file("big.txt")
        try Data(repeating: 0x61, count: InputText.maxBytes + 1).write(to: big)
        let error = caught { try InputText.read(big) }
        #expect(error?.code == .limitExceeded)
        #expect(error?.message.contains("at most 5.0 MB") == true, "\(error?.message ?? "")")
    }
}

@Suite struct SourceDocumentTests {
    @Test func markdownHeadingsAndSections() {
        let document = SourceDocument.parse(Samples.englishArticle)
        #expect(document.kind == .article)
        #expect(document.title == "Urban Gardens")
        #expect(document.sections.map(\.heading) == [nil, "Why grow food in the city", "Getting started", "The numbers"])
        #expect(document.sections[0].paragraphs.count == 1)
        #expect(document.sections[1].paragraphs.count == 1)
        #expect(document.sections[1].bullets == ["Fresh vegetables within reach", "Cooler streets in summer", "Less packaging waste"])
    }

    @Test func inlineMarkupIsRemoved() {
        let document = SourceDocument.parse("""
        # The **Big** Title

        Some **bold**, *italic*, __strong__, _em_ and `code` text with a [link](https://example.com) and \
        ![a picture](pic.png) an image. Keep snake_case_names and 2*3*4 as they are. <b>Tags</b> go.

        1. First *item*
        2. Second [item](x.html)
           continued here
        * Third
        """)
        #expect(document.title == "The Big Title")
        #expect(document.sections.count == 1)
        let paragraph = document.sections[0].paragraphs.first
        #expect(paragraph == "Some bold, italic, strong, em and code text with a link and an image. Keep snake_case_names and 2*3*4 as they are. Tags go.")
        #expect(document.sections[0].bullets == ["First item", "Second item continued here", "Third"])
    }

    @Test func codeBlocksFrontMatterAndTablesAreDropped() {
        let document = SourceDocument.parse("""
        ---
        title: ignored
        ---
        ## Setup

        Install the tool first.

        ```sh
        make install
        ```

        | a | b |
        |---|---|
        | 1 | 2 |

        Then run it.
        """)
        #expect(document.title == "Setup")
        #expect(document.sections.flatMap(\.paragraphs) == ["Install the tool first.", "Then run it."])
    }

    @Test func setextHeadings() {
        let document = SourceDocument.parse("Title\n=====\n\nIntro text here.\n\nPart one\n--------\n\nBody of part one.\n\nPart two\n--------\n\nBody of part two.")
        #expect(document.title == "Title")
        #expect(document.sections.map(\.heading) == [nil, "Part one", "Part two"])
    }

    @Test func plainTextTitleAndHeadings() {
        let document = SourceDocument.parse("""
        Năng lượng mặt trời

        Năng lượng mặt trời là nguồn năng lượng sạch và gần như vô tận. Nhiều gia đình đã lắp tấm pin trên mái nhà.

        Lợi ích chính

        Điện mặt trời giúp giảm hóa đơn tiền điện. Nó cũng giảm khí thải.

        Những điều cần lưu ý:
        - Chi phí lắp đặt ban đầu
        - Diện tích mái nhà
        """)
        #expect(document.kind == .article)
        #expect(document.title == "Năng lượng mặt trời")
        #expect(document.sections.map(\.heading) == [nil, "Lợi ích chính", "Những điều cần lưu ý"])
        #expect(document.sections[2].bullets == ["Chi phí lắp đặt ban đầu", "Diện tích mái nhà"])
    }

    @Test func outlines() {
        let listed = SourceDocument.parse(Samples.englishOutline)
        #expect(listed.kind == .outline)
        #expect(listed.title == "Learning to cook")
        #expect(listed.sections.first?.bullets.count == 5)

        let lines = SourceDocument.parse("Cà phê Việt Nam\n\nLịch sử cây cà phê\nCà phê phin\nCà phê trứng Hà Nội\nXuất khẩu")
        #expect(lines.kind == .outline)
        #expect(lines.title == "Cà phê Việt Nam")
        #expect(lines.sections.first?.bullets == ["Lịch sử cây cà phê", "Cà phê phin", "Cà phê trứng Hà Nội", "Xuất khẩu"])
    }

    @Test func topics() {
        let topic = SourceDocument.parse("  Lịch sử của cà phê Việt Nam \n")
        #expect(topic.kind == .topic)
        #expect(topic.title == "Lịch sử của cà phê Việt Nam")
        #expect(topic.sections.isEmpty)
        #expect(SourceDocument.parse("# How do vaccines work?").kind == .topic)
    }

    @Test func proseWithoutTitle() {
        let document = SourceDocument.parse("Rain fell all night over the old town, and the river rose quietly. By morning the streets were full of water and the market stayed closed.")
        #expect(document.kind == .article)
        #expect(document.title == nil)
        #expect(document.sections.count == 1)
    }
}

@Suite struct PlainTextTitleTests {
    @Test func titleLineRunningIntoText() {
        let document = SourceDocument.parse("""
        Why cities need trees
        Trees cool streets, clean the air and make people happier. A single large tree can shade a whole house in the \
        summer, and a row of them can lower the temperature of a street by several degrees.
        """)
        #expect(document.title == "Why cities need trees")
        #expect(document.sections.first?.paragraphs.first?.hasPrefix("Trees cool streets") == true)
    }
}
