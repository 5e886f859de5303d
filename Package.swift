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
        // epoll, accept4, pipe2: not in Swift's Glibc module. Headers only.
        .systemLibrary(name: "CEpoll"),
        .systemLibrary(name: "CGnuTLS", pkgConfig: "gnutls",
                       providers: [.apt(["libgnutls28-dev"])]),

        // Platform under every layer: logging, locks, threads, clock, metrics, encodings.
        .target(name: "PhysioPlatform"),
        // Domain, no I/O: vitals, time, rules, features, forest, episodes.
        .target(name: "PhysioCore", dependencies: ["PhysioPlatform"]),
        // The offline lab: evaluation and simulation. The server does not link it.
        .target(name: "PhysioLab", dependencies: ["PhysioCore", "PhysioPlatform"]),
        // The only target that speaks SQL.
        .target(name: "PhysioStore", dependencies: ["PhysioCore", "PhysioPlatform", "CLibPQ"],
                plugins: ["EmbedFiles"]),
        // Files in and out: case CSVs (plain or gzip), VitalDB .vital files and API tables.
        .target(name: "PhysioData", dependencies: ["PhysioCore", "PhysioPlatform", "CZlib"]),
        // HTTP knows no domain and no database.
        .target(name: "PhysioHTTP", dependencies: ["PhysioPlatform", "CMicroHTTPD", "CJansson", "CZlib"]),
        // HL7 v2 over MLLP: the listener and ER7 syntax; like HTTP, no domain and no database.
        .target(name: "PhysioHL7", dependencies: ["PhysioPlatform", "CEpoll", "CGnuTLS"]),
        .target(name: "PhysioClient", dependencies: ["PhysioCore", "PhysioPlatform", "PhysioHL7"]),
        .target(name: "PhysioWorker", dependencies: ["PhysioCore", "PhysioPlatform", "PhysioStore"]),
        .target(name: "PhysioServer",
                dependencies: ["PhysioCore", "PhysioPlatform", "PhysioStore", "PhysioHTTP", "PhysioHL7", "PhysioWorker"],
                plugins: ["EmbedFiles"]),
        .executableTarget(name: "physio", dependencies: [
            "PhysioPlatform", "PhysioCore", "PhysioLab", "PhysioData", "PhysioStore", "PhysioHTTP", "PhysioHL7", "PhysioServer",
            "PhysioWorker", "PhysioClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Build-time embedding of db/migrations, openapi/ and the dashboard.
        .executableTarget(name: "physio-embed"),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["physio-embed"]),

        .target(name: "PhysioTestSupport",
                dependencies: ["PhysioPlatform", "PhysioCore", "PhysioData", "PhysioStore", "PhysioHTTP", "PhysioHL7", "PhysioServer",
                               "PhysioWorker", "PhysioClient"],
                path: "Tests/PhysioTestSupport"),
        .testTarget(name: "PhysioPlatformTests", dependencies: ["PhysioPlatform"]),
        .testTarget(name: "PhysioCoreTests", dependencies: ["PhysioCore", "PhysioPlatform"]),
        .testTarget(name: "PhysioLabTests", dependencies: ["PhysioLab", "PhysioCore", "PhysioPlatform"]),
        .testTarget(name: "PhysioDataTests", dependencies: ["PhysioData", "PhysioCore", "PhysioPlatform"], exclude: ["Fixtures"]),
        .testTarget(name: "PhysioStoreTests", dependencies: ["PhysioStore", "PhysioCore", "PhysioPlatform", "PhysioTestSupport"]),
        .testTarget(name: "PhysioHL7Tests", dependencies: ["PhysioHL7", "PhysioPlatform"]),
        .testTarget(name: "PhysioHTTPTests", dependencies: ["PhysioHTTP", "PhysioPlatform", "PhysioClient", "PhysioTestSupport"]),
        .testTarget(name: "PhysioServerTests",
                    dependencies: ["PhysioServer", "PhysioHTTP", "PhysioHL7", "PhysioStore", "PhysioCore", "PhysioPlatform", "PhysioClient",
                                   "PhysioTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "PhysioWorkerTests",
                    dependencies: ["PhysioWorker", "PhysioStore", "PhysioCore", "PhysioPlatform", "PhysioClient",
                                   "PhysioTestSupport"]),
    ]
)
