// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The stores' async statements run on their caller's executor, so that a SQLite unit of work runs
/// to the end on GRDB's queue without suspending (see SQLiteDatabase).
let storeSettings = swiftSettings + [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]

let package = Package(
    name: "zhifu",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ZhifuProtocol", targets: ["ZhifuProtocol"]),
        .library(name: "ZhifuModels", targets: ["ZhifuModels"]),
        .library(name: "ZhifuCore", targets: ["ZhifuCore"]),
        .library(name: "ZhifuStore", targets: ["ZhifuStore"]),
        .library(name: "ZhifuStoreSQLite", targets: ["ZhifuStoreSQLite"]),
        .library(name: "ZhifuStorePostgres", targets: ["ZhifuStorePostgres"]),
        .library(name: "ZhifuGateway", targets: ["ZhifuGateway"]),
        .library(name: "ZhifuSDK", targets: ["ZhifuSDK"]),
        .library(name: "ZhifuTesting", targets: ["ZhifuTesting"]),
        .executable(name: "zhifu", targets: ["zhifu"]),
        .executable(name: "zhifu-bench", targets: ["zhifu-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // `swift package generate-documentation --target ZhifuSDK` (DocC); a plugin, not linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // bptb files: multipart uploads, CSV rows, and the zip of the refund file.
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        /// OpenSSL's EVP API (RSA, DSA, digests) and glibc iconv behind a few plain C functions.
        .target(
            name: "CZhifuOpenSSL",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        /// The benchmarks' own C helpers (a child process with a clean signal mask, `openssl speed`'s
        /// verify loop in process): not linked into the gateway.
        .target(
            name: "CZhifuBench",
            path: "Benchmarks/CZhifuBench",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        /// QR Code (ISO/IEC 18004) in byte mode, level M: no dependencies, known-answer tests.
        .target(
            name: "ZhifuQR",
            swiftSettings: swiftSettings
        ),
        /// Excel 97-2003 workbooks (BIFF8 in an OLE2 compound file), write only: no Swift library
        /// writes them, and seed 003's refund file is one. Known-answer tests, read back by xlrd.
        .target(
            name: "ZhifuXLS",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZhifuProtocol",
            dependencies: ["CZhifuOpenSSL"],
            swiftSettings: swiftSettings
        ),
        /// Each OpenAPI method's biz_content and response object as Codable types: the gateway
        /// decodes and encodes them, ZhifuSDK the other way round, so the two agree on the wire.
        .target(
            name: "ZhifuModels",
            dependencies: ["ZhifuProtocol"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZhifuCore",
            dependencies: [
                "ZhifuProtocol",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The store written once: repositories over a small SQL layer, records decoded by column name.
        .target(
            name: "ZhifuStore",
            dependencies: ["ZhifuCore"],
            swiftSettings: storeSettings
        ),
        .target(
            name: "ZhifuStoreSQLite",
            dependencies: [
                "ZhifuStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: storeSettings
        ),
        .target(
            name: "ZhifuStorePostgres",
            dependencies: [
                "ZhifuStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: storeSettings
        ),
        .target(
            name: "ZhifuGateway",
            dependencies: [
                "ZhifuCore", "ZhifuModels", "ZhifuQR", "ZhifuXLS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Pages/Templates")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZhifuSDK",
            dependencies: [
                "ZhifuProtocol", "ZhifuModels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZhifuTesting",
            dependencies: [
                "ZhifuGateway", "ZhifuSDK", "ZhifuStoreSQLite",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "zhifu",
            dependencies: [
                "ZhifuGateway", "ZhifuSDK", "ZhifuStoreSQLite", "ZhifuStorePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Benchmarks, out of the product binary: every figure against a reference measured in the
        /// same run (`swift run -c release zhifu-bench …`, docs/benchmarks.md).
        .executableTarget(
            name: "zhifu-bench",
            dependencies: [
                "ZhifuGateway", "CZhifuBench", "ZhifuStoreSQLite", "ZhifuStorePostgres", "ZhifuTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Benchmarks/ZhifuBench",
            swiftSettings: swiftSettings
        ),
        // The example merchant (Examples/Shop): a Hummingbird shop on ZhifuSDK, tested with ZhifuTesting.
        .target(
            name: "ExampleShop",
            dependencies: ["ZhifuSDK", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Examples/Shop/Sources/ExampleShop",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExampleShopTests",
            dependencies: ["ExampleShop", "ZhifuSDK", "ZhifuTesting", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            path: "Examples/Shop/Tests/ExampleShopTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhifuXLSTests",
            dependencies: ["ZhifuXLS"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhifuQRTests",
            dependencies: ["ZhifuQR"],
            resources: [.copy("Vectors")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhifuProtocolTests",
            dependencies: ["ZhifuProtocol", "ZhifuModels", "ZhifuSDK", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Vectors")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhifuStoreTests",
            dependencies: ["ZhifuCore", "ZhifuStore", "ZhifuStoreSQLite", "ZhifuStorePostgres",
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhifuGatewayTests",
            dependencies: [
                "ZhifuGateway", "ZhifuSDK", "ZhifuTesting", "ZhifuStoreSQLite", "ZhifuStorePostgres",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
