import Identity
import Core
import HTTP
import Support

/// A complete admin API answer computed off the loop (status, headers, JSON body), written on the loop later.
struct AdminAPIResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    /// A JSON answer; `headers` gain `Content-Type: application/json`.
    init(status: Int, json: JSONValue, headers: HTTPHeaders = [:]) {
        self.status = status
        self.headers = headers
        self.headers.replace("Content-Type", "application/json")
        self.body = json.serialized()
    }

    /// An answer without a body (204).
    init(status: Int, headers: HTTPHeaders = [:]) {
        self.status = status
        self.headers = headers
        self.body = []
    }

    /// The error in the admin shape; a 401 carries the challenge RFC 9110 §11.6.1 requires, a 405 its `Allow`.
    init(_ error: AdminAPIError, allow: String? = nil) {
        var headers: HTTPHeaders = [:]
        if error.status == 401 { headers.add("WWW-Authenticate", "Bearer realm=\"tollgate-admin\"") }
        if let allow { headers.add("Allow", allow) }
        self.init(status: error.status, json: error.json, headers: headers)
    }

    /// Writes the answer. Call on the writer's loop.
    func send(to writer: HTTPResponseWriter) {
        if status == 204 {
            writer.writeHead(status: 204, headers: headers, contentLength: 0)
        } else {
            writer.respond(status: status, headers: headers, body: body)
        }
    }
}
