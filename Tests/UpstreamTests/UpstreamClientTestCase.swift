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

    /// A server that answers each request with the number of the connection it came on (1 for the first accepted),
    /// and closes connection `closing` right after answering on it.
    func makeConnectionNumberServer(closing: Int? = nil) -> TestHTTPServer {
        makeServer { request, connection in
            let body = "\(request.connectionID)"
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            if request.connectionID == closing { connection.close() }
        }
    }

    /// Sends `request` through `client` and waits until it has finished; the delegate holds what came back.
    func perform(_ request: UpstreamRequest, on client: UpstreamClient, _ label: String) -> RecordingDelegate {
        let delegate = RecordingDelegate(label)
        queue.sync { _ = client.execute(request, delegate: delegate) }
        wait(for: [delegate.finishedExpectation], timeout: 10)
        return delegate
    }
}
