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
        .target(name: "Upstream", dependencies: ["CCurl", "CShims", "IO", "Support"]),
        .target(name: "Redis", dependencies: ["IO", "TLS", "Support"]),
        .target(name: "Catalogue", dependencies: ["Support"]),
        .target(name: "Accounting", dependencies: ["Catalogue", "AWS", "Support"]),

        // MARK: Composition
        .target(name: "BedrockHTTP", dependencies: ["HTTP", "AWS"]),
        .target(name: "StandIn", dependencies: ["BedrockHTTP", "HTTP", "IO", "AWS", "Support"]),
        // The shared core: who is calling, the runtime call, targets and credentials. Every API face depends on
        // it and on nothing of another face.
        .target(name: "Identity", dependencies: ["AWS", "HTTP", "IO", "Accounting", "Support"]),
        .target(
            name: "Core",
            dependencies: ["Identity", "HTTP", "IO", "AWS", "Upstream", "Catalogue", "Accounting", "Support"]
        ),
        .target(
            name: "BedrockRuntime",
            dependencies: ["Core", "Identity", "BedrockHTTP", "HTTP", "AWS", "Upstream", "Catalogue", "Accounting", "Support"]
        ),
        .target(
            name: "BedrockControlPlane",
            dependencies: ["Core", "Identity", "BedrockHTTP", "HTTP", "AWS", "Catalogue", "Accounting", "Support"]
        ),
        .target(name: "Admin", dependencies: ["Core", "Identity", "HTTP", "AWS", "Catalogue", "Accounting", "Support"]),
        .target(name: "CustomModelsAPI", dependencies: ["Core", "Identity", "HTTP", "Catalogue", "Support"]),
        .target(name: "OrqAPI", dependencies: ["Core", "Identity", "HTTP", "Catalogue", "Support"]),
        .target(name: "OpenAIAPI", dependencies: ["Core", "Identity", "HTTP", "AWS", "Upstream", "Catalogue", "Accounting", "Support"]),
        // Fleet mode: the catalogue and keys shared through Redis.
        .target(name: "Fleet", dependencies: ["Redis", "Catalogue", "Identity", "Accounting", "IO", "Support"]),
        // Configuration and wiring: the faces composed into one route table behind the HTTP server.
        .target(
            name: "Server",
            dependencies: ["BedrockRuntime", "BedrockControlPlane", "Admin", "CustomModelsAPI", "OrqAPI", "OpenAIAPI", "Core", "Identity", "BedrockHTTP", "HTTP", "IO",
                           "TLS", "AWS", "Catalogue", "Accounting", "Support", "Redis", "Fleet"]
        ),
        .target(name: "TollgateCLI", dependencies: ["Server", "Identity", "StandIn", "Support", "IO", "TLS", "Redis", "Fleet", "Catalogue"]),
        .executableTarget(name: "tollgate", dependencies: ["TollgateCLI"]),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["IO", "HTTP", "TLS", "Server", "Identity", "StandIn", "Catalogue", "Support"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "SupportTests", dependencies: ["Support", "IO", "TestSupport"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "IO", "TLS", "Support", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "IO", "TLS", "TestSupport"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "IO", "TestSupport"]),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "UpstreamTests", dependencies: ["Upstream", "CCurl", "IO", "TestSupport"]),
        .testTarget(name: "CatalogueTests", dependencies: ["Catalogue", "IO", "Support", "TestSupport"]),
        .testTarget(name: "AccountingTests", dependencies: ["Accounting", "Catalogue", "AWS", "IO", "Support", "TestSupport"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Server", "Core", "Identity", "BedrockRuntime", "BedrockControlPlane", "Admin", "CustomModelsAPI", "OrqAPI", "OpenAIAPI", "StandIn",
                           "TestSupport", "HTTP", "IO", "TLS", "AWS", "Upstream", "Catalogue", "Accounting", "Support", "Redis", "Fleet"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
