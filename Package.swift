// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "physio",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "physio", targets: ["physio"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, found through pkg-config.
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Domain, no I/O.
        .target(name: "PhysioCore"),
        .target(name: "PhysioStore", dependencies: ["PhysioCore", "CLibPQ"],
                plugins: ["EmbedFiles"]),
        // Files in and out: case CSVs (plain or gzip), VitalDB .vital files and API tables.
        .target(name: "PhysioData", dependencies: ["PhysioCore", "CZlib"]),
        .target(name: "PhysioHTTP", dependencies: ["PhysioCore", "CMicroHTTPD", "CJansson"]),
        .target(name: "PhysioClient", dependencies: ["PhysioCore"]),
        .target(name: "PhysioWorker", dependencies: ["PhysioCore", "PhysioStore"]),
        .target(name: "PhysioServer",
                dependencies: ["PhysioCore", "PhysioStore", "PhysioHTTP", "PhysioWorker"],
                plugins: ["EmbedFiles"]),
        .executableTarget(name: "physio", dependencies: [
            "PhysioCore", "PhysioData", "PhysioStore", "PhysioHTTP", "PhysioServer", "PhysioWorker", "PhysioClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Build-time embedding of db/migrations, openapi/ and the dashboard.
        .executableTarget(name: "physio-embed"),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["physio-embed"]),

        .target(name: "PhysioTestSupport",
                dependencies: ["PhysioCore", "PhysioData", "PhysioStore", "PhysioHTTP", "PhysioServer", "PhysioWorker", "PhysioClient"],
                path: "Tests/PhysioTestSupport"),
        .testTarget(name: "PhysioCoreTests", dependencies: ["PhysioCore"]),
        .testTarget(name: "PhysioDataTests", dependencies: ["PhysioData"], exclude: ["Fixtures"]),
        .testTarget(name: "PhysioStoreTests", dependencies: ["PhysioStore", "PhysioTestSupport"]),
        .testTarget(name: "PhysioHTTPTests", dependencies: ["PhysioHTTP", "PhysioClient", "PhysioTestSupport"]),
        .testTarget(name: "PhysioServerTests",
                    dependencies: ["PhysioServer", "PhysioHTTP", "PhysioStore", "PhysioClient", "PhysioTestSupport"]),
        .testTarget(name: "PhysioWorkerTests", dependencies: ["PhysioWorker", "PhysioStore", "PhysioClient", "PhysioTestSupport"]),
    ]
)
