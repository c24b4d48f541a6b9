import Foundation
import PhimCore
import PhimMedia
import PhimTesting
import Testing

/// `phim faces` and `phim consent` as a user runs them.
@Suite struct FaceCLITests {
    @Test func facesNumbersThePeopleInAVideoAndDrawsThem() throws {
        let folder = TemporaryFolder()
        let sheet = folder.file("sheet.png")
        let result = try CLIRunner.run(["faces", try SampleMedia.url("Megamind.avi").path, "--sheet", sheet.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        struct Output: Decodable {
            struct Person: Decodable { var number, appearances: Int; var box: [Double] }
            var framesScanned: Int
            var people: [Person]
        }
        let output = try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
        #expect(output.framesScanned >= 20)
        #expect(output.people.count >= 2)
        #expect(output.people.map(\.number) == Array(1...output.people.count))
        #expect(output.people.map(\.appearances) == output.people.map(\.appearances).sorted(by: >))
        // The sheet: one 160-pixel portrait per person, decodable, and not blank.
        let picture = try ImageLoader.load(sheet)
        #expect(picture.width >= 12 + min(output.people.count, 6) * 172)
        #expect(Self.greySpread(picture) > 20)
    }

    @Test func consentCreateAndShow() throws {
        let folder = TemporaryFolder()
        let record = folder.file("consent.json")
        let made = try CLIRunner.run(["consent", "create", "--name", "Eileen Collins", "--image", try SampleMedia.url("astronaut.png").path,
                                      "--purpose", "tests", "--expires", "2099-12-31", "-o", record.path])
        #expect(made.status == 0, "\(made.stderr)")
        let shown = try CLIRunner.run(["consent", "show", record.path])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("status:    valid"))
        #expect(shown.stdout.contains("2099-12-31T23:59:59Z"))
        let text = try String(contentsOf: record, encoding: .utf8)
        try text.replacingOccurrences(of: "\"tests\"", with: "\"anything\"").write(to: record, atomically: true, encoding: .utf8)
        let forged = try CLIRunner.run(["consent", "show", record.path])
        #expect(forged.status == 2)
        #expect(forged.stdout.contains("INVALID"))
    }

    @Test func consentCreateRefusesBadInputAndWritesNothing() throws {
        let folder = TemporaryFolder()
        let out = folder.file("consent.json")
        let astronaut = try SampleMedia.url("astronaut.png").path
        let cases: [([String], String)] = [
            (["--image", try SampleMedia.url("fruits.jpg").path, "--name", "A", "--purpose", "p"], "no face found"),
            (["--image", folder.file("missing.jpg").path, "--name", "A", "--purpose", "p"], "--image"),
            (["--image", astronaut, "--name", " ", "--purpose", "p"], "--name: must not be empty"),
            (["--image", astronaut, "--name", "A\u{7}", "--purpose", "p"], "--name: holds control characters"),
            (["--image", astronaut, "--name", "A", "--purpose", "p", "--expires", "2001-01-01"], "in the past"),
            (["--image", astronaut, "--name", "A", "--purpose", "p", "--expires", "soon"], "not a date"),
        ]
        for (arguments, expected) in cases {
            let result = try CLIRunner.run(["consent", "create"] + arguments + ["-o", out.path])
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(expected), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        #expect(folder.contents.isEmpty, "\(folder.contents)")
    }

    @Test func facesOfAFileThatIsNotMediaIsOneLine() throws {
        let folder = TemporaryFolder()
        let bogus = folder.file("x.mp4")
        try Data("not a video".utf8).write(to: bogus)
        let result = try CLIRunner.run(["faces", bogus.path, "--sheet", folder.file("s.png").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(bogus.path))
        #expect(folder.contents == ["x.mp4"])
    }

    /// The standard deviation of the picture's green channel.
    static func greySpread(_ picture: PixelBuffer) -> Double {
        var values: [Double] = []
        picture.withUnsafeBytes { bytes in
            for y in 0..<picture.height { for x in 0..<picture.width { values.append(Double(bytes[y * picture.bytesPerRow + x * 4 + 1])) } }
        }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
    }
}
