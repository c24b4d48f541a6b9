// swift-tools-version: 6.1
import PackageDescription

/// Phim: a local-first AI video studio. One executable (`phim`), one library per concern.
/// C libraries are reached only through the `C…` targets; no C type appears in a public Swift API.
let package = Package(
    name: "Phim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "phim", targets: ["phim"]),
        .library(name: "PhimCore", targets: ["PhimCore"]),
        .library(name: "PhimMedia", targets: ["PhimMedia"]),
        .library(name: "PhimGraphics", targets: ["PhimGraphics"]),
        .library(name: "PhimCompose", targets: ["PhimCompose"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: C system libraries
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libavutil libswscale libswresample libavfilter",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev",
                              "libswresample-dev", "libavfilter-dev"])]
        ),
        .systemLibrary(name: "CYUV", providers: [.apt(["libyuv-dev"])]),
        .systemLibrary(
            name: "CCairo",
            pkgConfig: "cairo pangocairo pango",
            providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]
        ),

        // MARK: Swift libraries
        .target(name: "PhimCore"),
        .target(name: "PhimMedia", dependencies: ["PhimCore", "CFFmpeg", "CYUV"]),
        .target(name: "PhimGraphics", dependencies: ["PhimCore", "CCairo"]),
        .target(
            name: "PhimCompose",
            dependencies: ["PhimCore", "PhimMedia", "PhimGraphics", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "PhimTesting", dependencies: ["PhimCore", "PhimMedia"], path: "Sources/PhimTesting"),

        // MARK: The command-line tool
        .executableTarget(
            name: "phim",
            dependencies: [
                "PhimCore", "PhimMedia", "PhimGraphics", "PhimCompose",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        .testTarget(name: "PhimCoreTests", dependencies: ["PhimCore"]),
        .testTarget(name: "PhimMediaTests", dependencies: ["PhimMedia", "PhimTesting"]),
        .testTarget(name: "PhimGraphicsTests", dependencies: ["PhimGraphics", "PhimTesting"]),
        .testTarget(name: "PhimComposeTests", dependencies: ["PhimCompose", "PhimTesting"]),
        .testTarget(name: "PhimCLITests", dependencies: ["PhimTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
