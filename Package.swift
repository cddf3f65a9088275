// swift-tools-version:6.0
//
// Tollgate: an LLM gateway that speaks the Amazon Bedrock Runtime API.
// No Swift package dependencies: the only outside code is libcurl and OpenSSL (libcrypto, and libssl for TLS),
// reached through system library targets, plus a small C shim target.
import PackageDescription

let package = Package(
    name: "Tollgate",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tollgate", targets: ["tollgate"]),
    ],
    dependencies: [],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CSSL",
            pkgConfig: "libssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "CShims", dependencies: ["CCurl", "CCrypto", "CSSL"]),

        // MARK: Building blocks
        .target(name: "Support"),
        .target(name: "IO", dependencies: ["CShims", "Support"]),
        .target(name: "HTTP", dependencies: ["IO", "Support"]),
        .target(name: "TLS", dependencies: ["CSSL", "CShims", "IO", "Support"]),
        .target(name: "AWS", dependencies: ["CCrypto", "CShims", "Support"]),
        .target(name: "Upstream", dependencies: ["CCurl", "CShims", "IO"]),
        .target(name: "Catalogue", dependencies: ["Support", "AWS"]),
        .target(name: "Accounting", dependencies: ["Catalogue", "AWS", "Support"]),

        // MARK: Composition
        .target(name: "BedrockHTTP", dependencies: ["HTTP", "AWS"]),
        .target(name: "StandIn", dependencies: ["BedrockHTTP", "HTTP", "IO", "AWS", "Support"]),
        .target(
            name: "Gateway",
            dependencies: ["BedrockHTTP", "HTTP", "IO", "TLS", "AWS", "Upstream", "Catalogue", "Accounting", "Support"]
        ),
        .target(name: "TollgateCLI", dependencies: ["Gateway", "StandIn", "AWS", "Catalogue", "Support", "IO", "TLS"]),
        .executableTarget(name: "tollgate", dependencies: ["TollgateCLI"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["IO", "TLS"], path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "IO", "TLS", "Support", "TestSupport"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "IO", "TestSupport"]),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "UpstreamTests", dependencies: ["Upstream", "HTTP", "IO", "TestSupport"]),
        .testTarget(name: "CatalogueTests", dependencies: ["Catalogue", "Support", "TestSupport"]),
        .testTarget(name: "AccountingTests", dependencies: ["Accounting", "Catalogue", "AWS", "Support", "TestSupport"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Gateway", "StandIn", "TollgateCLI", "TestSupport", "HTTP", "IO", "AWS", "Upstream", "Catalogue", "Accounting", "Support"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
