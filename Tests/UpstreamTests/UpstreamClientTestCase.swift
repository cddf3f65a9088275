import Dispatch
import XCTest
@testable import Upstream

/// A client on its own queue and the loopback servers a test starts, all stopped after each test.
class UpstreamClientTestCase: XCTestCase {
    var queue = DispatchQueue(label: "upstream-client-tests")
    var client: UpstreamClient?
    var servers: [TestHTTPServer] = []

    override func tearDown() {
        if let client { queue.sync { client.shutdown() } }
        client = nil
        for server in servers { server.stop() }
        servers = []
        super.tearDown()
    }

    func makeClient(_ configuration: UpstreamConfiguration = UpstreamConfiguration()) -> UpstreamClient {
        let made = UpstreamClient(queue: queue, configuration: configuration)
        client = made
        return made
    }

    func makeServer(_ handler: @escaping TestHTTPServer.Handler) -> TestHTTPServer {
        let server = TestHTTPServer(handler: handler)
        servers.append(server)
        return server
    }
}
