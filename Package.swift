// swift-tools-version: 6.1
import PackageDescription

/// libtorch for CTorch: Debian's `libtorch-dev` (CPU) by default. `LIBTORCH=/path/to/libtorch` (a folder with
/// `include/` and `lib/`, e.g. a CUDA build) selects another, as tch-rs does; with `LIBTORCH_CUDA=1` its CUDA libraries are linked too.
let libtorch = Context.environment["LIBTORCH"].flatMap { $0.isEmpty ? nil : $0 }
let torchIncludes = libtorch.map { ["-I\($0)/include", "-I\($0)/include/torch/csrc/api/include"] }
    ?? ["-I/usr/include/torch/csrc/api/include"]
let torchLinkerFlags = libtorch.map { ["-L\($0)/lib", "-Xlinker", "-rpath", "-Xlinker", "\($0)/lib"] } ?? []
let torchCUDALibraries: [LinkerSetting] = libtorch != nil && Context.environment["LIBTORCH_CUDA"] == "1"
    ? [.unsafeFlags(["-Xlinker", "--no-as-needed"]), .linkedLibrary("torch_cuda"), .linkedLibrary("c10_cuda")] : []

/// Phim: a local-first AI video studio. One executable (`phim`), one library per concern.
/// C libraries are reached only through the `C…` targets; no C type appears in a public Swift API.
let package = Package(
    name: "Phim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "phim", targets: ["phim"]),
        // libtorch behind CTorch's C functions, loaded on the first tensor call (see Sources/CTorch/loader.c).
        .library(name: "PhimTorchRuntime", type: .dynamic, targets: ["CTorchRuntime"]),
        .library(name: "PhimCore", targets: ["PhimCore"]),
        .library(name: "PhimMedia", targets: ["PhimMedia"]),
        .library(name: "PhimGraphics", targets: ["PhimGraphics"]),
        .library(name: "PhimCompose", targets: ["PhimCompose"]),
        .library(name: "PhimProvenance", targets: ["PhimProvenance"]),
        .library(name: "PhimWatermark", targets: ["PhimWatermark"]),
        .library(name: "PhimSubtitles", targets: ["PhimSubtitles"]),
        .library(name: "PhimSpeech", targets: ["PhimSpeech"]),
        .library(name: "PhimScript", targets: ["PhimScript"]),
        .library(name: "PhimMake", targets: ["PhimMake"]),
        .library(name: "PhimTensor", targets: ["PhimTensor"]),
        .library(name: "PhimNN", targets: ["PhimNN"]),
        .library(name: "PhimGen", targets: ["PhimGen"]),
        .library(name: "PhimFace", targets: ["PhimFace"]),
        .library(name: "PhimDetect", targets: ["PhimDetect"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
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
        .systemLibrary(name: "CEspeak", pkgConfig: "espeak-ng", providers: [.apt(["libespeak-ng-dev", "espeak-ng-data"])]),
        // CTorch is the C interface Swift calls (include/ctorch.h) and stubs that load the library implementing it,
        // CTorchRuntime (C++ over libtorch, the product libPhimTorchRuntime.so), on the first call: programs do not
        // link libtorch, whose loading alone takes about a second.
        .target(name: "CTorch", exclude: ["generator"]),
        .target(
            name: "CTorchRuntime",
            cxxSettings: [
                .define("USE_C10D_GLOO"), .define("USE_DISTRIBUTED"),
                .unsafeFlags(["-std=c++17", "-Wno-deprecated-declarations",
                              "-I\(Context.packageDirectory)/Sources/CTorch/include"] + torchIncludes),
            ],
            linkerSettings: [
                .linkedLibrary("torch"), .linkedLibrary("torch_cpu"), .linkedLibrary("c10"),
                // The runtime's calls of its own functions stay inside it (programs define stubs of the same names).
                .unsafeFlags(["-Xlinker", "-Bsymbolic"]),
            ] + torchCUDALibraries + [.unsafeFlags(torchLinkerFlags)]
        ),

        // CDlib is the C interface (include/cdlib.h) over dlib's face detectors, shape predictor and face descriptor
        // network (Debian's libdlib-dev). dlib's templates are compiled optimised in every configuration: its networks
        // run ten times slower unoptimised.
        .target(
            name: "CDlib",
            cxxSettings: [.unsafeFlags(["-std=c++17", "-O2", "-Wno-deprecated-declarations"])],
            // dlib's headers call BLAS and LAPACK (Debian builds it with both); their runtime libraries are linked by
            // soname, as no -dev package is needed for them (libopenblas0-openmp serves libblas.so.3).
            linkerSettings: [.linkedLibrary("dlib"), .linkedLibrary(":libblas.so.3"), .linkedLibrary(":liblapack.so.3")]
        ),

        // MARK: Swift libraries
        .target(name: "PhimCore"),
        .target(name: "PhimMedia", dependencies: ["PhimCore", "PhimProvenance", "PhimWatermark", "CFFmpeg", "CYUV"]),
        // The invisible watermark: embedding into luma planes and reading it back. Its loops run on every pixel of
        // every frame, so it is optimised in debug builds too (the tests export and read real videos).
        .target(
            name: "PhimWatermark",
            dependencies: ["PhimCore", "CFFmpeg"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        // C2PA manifests (JUMBF, CBOR, COSE, BMFF hashing) and the signing identity: every export signs its MP4.
        .target(
            name: "PhimProvenance",
            dependencies: [
                "PhimCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(name: "PhimGraphics", dependencies: ["PhimCore", "CCairo"]),
        .target(
            name: "PhimCompose",
            dependencies: ["PhimCore", "PhimMedia", "PhimGraphics", "PhimSubtitles", .product(name: "Yams", package: "Yams")]
        ),
        // Subtitle cues and their files (SRT, WebVTT, ASS): Foundation only, shared by the renderer and speech.
        .target(name: "PhimSubtitles", dependencies: ["PhimCore"]),
        .target(name: "PhimSpeech", dependencies: ["PhimCore", "PhimMedia", "PhimSubtitles", "CEspeak"]),
        // Text to script: Foundation only (an LLM is reached over HTTP).
        .target(name: "PhimScript", dependencies: ["PhimCore"]),
        // The `phim make` pipeline: script, speech, storyboard, render.
        .target(
            name: "PhimMake",
            dependencies: ["PhimCore", "PhimMedia", "PhimGraphics", "PhimCompose", "PhimSubtitles", "PhimSpeech", "PhimScript"]
        ),
        .target(name: "PhimTensor", dependencies: ["CTorch"]),
        .target(name: "PhimSafetensors", dependencies: ["PhimCore"]),
        .target(name: "PhimNN", dependencies: ["PhimTensor", "PhimSafetensors", "PhimCore"]),
        // Learned video generation: training sets (procedural and cut from the user's videos), models, sampling.
        // PhimCompose for the seam of render projects' generated layers (GeneratedClips): it is light, and it does not
        // depend on PhimGen (which links libtorch).
        .target(name: "PhimGen", dependencies: [
            "PhimCore", "PhimGraphics", "PhimMedia", "PhimProvenance", "PhimSafetensors", "PhimNN", "PhimCompose",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Faces: detection, landmarks, descriptors (dlib through CDlib), tracking, alignment, swapping (classical, and
        // trained with PhimNN), consent records.
        .target(name: "PhimFace", dependencies: [
            "PhimCore", "PhimMedia", "PhimGraphics", "PhimProvenance", "PhimWatermark", "PhimNN", "PhimGen", "CDlib",
        ]),
        // Detection of generated and face-swapped video: features, detectors, calibration, metrics.
        .target(name: "PhimDetect", dependencies: ["PhimCore", "PhimMedia", "PhimGraphics", "PhimProvenance", "PhimWatermark", "PhimSafetensors"]),
        .target(name: "PhimTesting", dependencies: ["PhimCore", "PhimMedia", "PhimProvenance"], path: "Sources/PhimTesting"),

        // MARK: The command-line tool
        .executableTarget(
            name: "phim",
            dependencies: [
                "PhimCore", "PhimMedia", "PhimGraphics", "PhimCompose", "PhimSpeech", "PhimScript", "PhimMake", "PhimSafetensors", "PhimGen", "PhimFace",
                "PhimDetect", "PhimProvenance", "PhimWatermark", .product(name: "X509", package: "swift-certificates"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helper processes for PhimNN's tests (distributed ranks, leak and resume checks) and the tensor benchmark.
        .executableTarget(name: "PhimTensorWorker", dependencies: ["PhimNN"]),
        .executableTarget(name: "PhimTensorBenchmark", dependencies: ["PhimNN"], path: "Benchmarks/tensor/swift"),
        .executableTarget(name: "PhimGenBenchmark", dependencies: ["PhimGen", "PhimNN"], path: "Benchmarks/generate/swift"),

        // MARK: Tests
        .testTarget(name: "PhimCoreTests", dependencies: ["PhimCore"]),
        .testTarget(name: "PhimMediaTests", dependencies: ["PhimMedia", "PhimProvenance", "PhimTesting"]),
        .testTarget(name: "PhimWatermarkTests", dependencies: ["PhimWatermark", "PhimCore"]),
        .testTarget(name: "PhimProvenanceTests", dependencies: ["PhimProvenance", "PhimMedia", "PhimSpeech", "PhimWatermark", "PhimTesting"]),
        .testTarget(name: "PhimGenTests", dependencies: ["PhimGen", "PhimMedia", "PhimNN", "PhimTesting"]),
        .testTarget(name: "PhimGraphicsTests", dependencies: ["PhimGraphics", "PhimTesting"]),
        .testTarget(name: "PhimComposeTests", dependencies: ["PhimCompose", "PhimProvenance", "PhimTesting"]),
        .testTarget(name: "PhimSubtitlesTests", dependencies: ["PhimSubtitles", "PhimTesting"]),
        .testTarget(name: "PhimSpeechTests", dependencies: ["PhimSpeech", "PhimSubtitles", "PhimTesting"]),
        .testTarget(name: "PhimScriptTests", dependencies: ["PhimScript", "PhimTesting"]),
        .testTarget(name: "PhimMakeTests", dependencies: ["PhimMake", "PhimScript", "PhimCompose", "PhimSpeech", "PhimSubtitles", "PhimTesting"]),
        .testTarget(name: "PhimCLITests", dependencies: ["PhimCore", "PhimMedia", "PhimFace", "PhimTesting"]),
        .testTarget(name: "PhimTensorTests", dependencies: ["PhimTensor"]),
        // The safetensors format alone: this target does not link libtorch.
        .testTarget(name: "PhimSafetensorsTests", dependencies: ["PhimSafetensors", "PhimCore", "PhimTesting"]),
        .testTarget(name: "PhimNNTests", dependencies: ["PhimNN", "PhimCore"]),
        .testTarget(name: "PhimDetectTests", dependencies: ["PhimDetect", "PhimCore", "PhimMedia", "PhimTesting"]),
        .testTarget(name: "PhimFaceTests", dependencies: ["PhimFace", "PhimCore", "PhimMedia", "PhimTensor", "PhimTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
