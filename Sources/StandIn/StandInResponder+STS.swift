import AWS
import FoundationEssentials
import HTTP
import Support

/// STS `AssumeRole` for the tests (`POST /` with a form body, as the Query protocol sends it): the request must be
/// signed with a configured key pair for service `sts`, name a configured role, and carry the external id that role
/// requires. Granted credentials are temporary ones the stand-in then accepts for Bedrock calls, with their session
/// token; every signed request is counted in `stats.roleAssumptions`.
extension StandInResponder {
    func assumeRole(_ request: HTTPServerRequest, writer: HTTPResponseWriter, owner: StandInServer) {
        let later: @Sendable () -> Void = { request.loop.execute { self.assumeRole(request, writer: writer, owner: owner) } }
        if owner.holdRoleAnswer(later) { return }
        let principal: String
        do {
            principal = try verifySigV4(request, service: "sts", owner: owner)
        } catch {
            owner.state.withLock { $0.stats.rejected += 1 }
            return refuse(error.status, code: error.name, message: error.message, writer: writer)
        }
        guard let ask = STSAssumeRole.Request(formBody: request.body) else {
            return refuse(400, code: "InvalidAction", message: "Could not find operation AssumeRole with a RoleArn and RoleSessionName", writer: writer)
        }
        let granted: Bool
        if let required = owner.configuration.roles[ask.roleARN] {
            granted = required == ask.externalID
        } else {
            granted = false
        }
        owner.state.withLock {
            $0.stats.roleAssumptions.append(.init(roleARN: ask.roleARN, externalID: ask.externalID, sessionName: ask.sessionName,
                                                  principal: principal, granted: granted))
        }
        guard granted else {
            return refuse(403, code: "AccessDenied",
                          message: "User: \(principal) is not authorized to perform: sts:AssumeRole on resource: \(ask.roleARN)", writer: writer)
        }
        let credentials = STSAssumeRole.Credentials(
            accessKeyId: "ASIA" + Self.randomToken(16, uppercase: true), secretAccessKey: Self.randomToken(40),
            sessionToken: "FwoGZXIvYXdzE" + Self.randomToken(64),
            expiration: RFC3339.format(Date().addingTimeInterval(Double(ask.durationSeconds))))
        owner.state.withLock { $0.temporary[credentials.accessKeyId] = (credentials.secretAccessKey, credentials.sessionToken) }
        writer.respond(status: 200, headers: ["Content-Type": "text/xml"],
                       body: STSAssumeRole.responseBody(credentials, roleARN: ask.roleARN, sessionName: ask.sessionName, requestID: writer.requestID))
    }

    private func refuse(_ status: Int, code: String, message: String, writer: HTTPResponseWriter) {
        writer.respond(status: status, headers: ["Content-Type": "text/xml"],
                       body: STSAssumeRole.errorBody(code: code, message: message, requestID: writer.requestID))
    }

    private static func randomToken(_ count: Int, uppercase: Bool = false) -> String {
        let alphabet = Array(uppercase ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}
