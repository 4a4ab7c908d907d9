// swift-tools-version: 6.1
import PackageDescription

// Layout: system-library targets (C*) at the bottom, then Engine → RGI → Capture/Inspection
// → Alerting → Daemon, and two thin executables on top. A module depends only downward.
let package = Package(
    name: "rgi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rgictl", targets: ["rgictl"]),
        .executable(name: "rgid", targets: ["rgid"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        .systemLibrary(
            name: "CV4L2", path: "Sources/CV4L2", pkgConfig: "libv4l2",
            providers: [.apt(["libv4l-dev"])]),
        .systemLibrary(
            name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]),

        // MARK: modules
        .target(name: "Engine", dependencies: ["CBLAS"]),
        .target(name: "RGI", dependencies: ["Engine", "Imaging"]),
        .target(name: "Inspection", dependencies: ["RGI", "Imaging"]),
        .target(name: "Imaging", dependencies: ["CSPNG", "CTurboJPEG"]),
        .target(name: "Capture", dependencies: ["CV4L2", "Imaging"]),
        .target(name: "Alerting", dependencies: ["Inspection", "Imaging", "CSystemd"]),
        .target(
            name: "Daemon",
            dependencies: [
                "Capture", "Inspection", "Alerting", "RGI", "Imaging", "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: executables
        .executableTarget(
            name: "rgictl",
            dependencies: [
                "Engine", "RGI", "Inspection", "Alerting", "Capture", "Imaging", "Daemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "rgid",
            dependencies: [
                "Engine", "Daemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: benchmarks (not tests: run with `make bench`)
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(
            name: "EngineBenchmark",
            dependencies: [
                "Engine", "RGI", "BenchmarkSupport",
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ],
            path: "Benchmarks/EngineBenchmark"),
        .executableTarget(
            name: "InspectionBenchmark", dependencies: ["Engine", "RGI", "Inspection", "Imaging", "BenchmarkSupport"],
            path: "Benchmarks/InspectionBenchmark"),

        .executableTarget(
            name: "CaptureBenchmark", dependencies: ["Capture", "Imaging", "BenchmarkSupport"],
            path: "Benchmarks/CaptureBenchmark"),
        // Drives the built rgid (build it first: `swift build -c release --product rgid`).
        .executableTarget(
            name: "DaemonBenchmark", dependencies: ["Daemon", "RGI", "Inspection", "Imaging", "BenchmarkSupport"],
            path: "Benchmarks/DaemonBenchmark"),

        // MARK: tests
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "Alerting", "Inspection", "Capture", "Imaging", "RGI"]),
        // Runs the built rgid and rgictl binaries (listed so that they are built first).
        .testTarget(name: "EndToEndTests", dependencies: ["Daemon", "Alerting", "Imaging", "rgid", "rgictl"]),
        // Runs the real V4L2 capture in a child process under the emulator (LD_PRELOAD).
        .executableTarget(name: "CaptureHarness", dependencies: ["Capture"], path: "Tests/CaptureHarness"),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Imaging", "CaptureHarness"]),
        .testTarget(name: "AlertingTests", dependencies: ["Alerting", "Inspection", "Imaging"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "RGITests", dependencies: ["RGI", "Engine", "Imaging"]),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "RGI"]),
        .testTarget(
            name: "ImagingTests", dependencies: ["Imaging"],
            exclude: ["make_fixtures.py"]),
    ]
)
