// swift-tools-version: 6.1
import PackageDescription

// Layout: system-library targets (C*) at the bottom, then Engine → RGI → Capture/Inspection
// → Alerting → Daemon, and two thin executables on top. A module depends only downward.
let package = Package(
    name: "rgi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rgictl", targets: ["rgictl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
    ],
    targets: [
        // MARK: system libraries
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CSPNG", path: "Sources/CSPNG", pkgConfig: "spng",
            providers: [.apt(["libspng-dev"])]),
        .systemLibrary(
            name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),

        // MARK: modules
        .target(name: "Engine", dependencies: ["CBLAS"]),
        .target(name: "Imaging", dependencies: ["CSPNG", "CTurboJPEG"]),

        // MARK: executables
        .executableTarget(
            name: "rgictl",
            dependencies: [
                "Engine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: benchmarks (not tests: run with `make bench`)
        .executableTarget(
            name: "EngineBenchmark",
            dependencies: [
                "Engine",
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ],
            path: "Benchmarks/EngineBenchmark"),

        // MARK: tests
        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(
            name: "ImagingTests", dependencies: ["Imaging"],
            exclude: ["make_fixtures.py"]),
    ]
)
