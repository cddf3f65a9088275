import Foundation
import XCTest
@testable import AWS

final class BedrockEventStreamTests: XCTestCase {
    func testChunkFrame() throws {
        let model = Array(#"{"completion":"Hi"}"#.utf8)
        let chunk = BedrockEventStream.chunk(model)
        XCTAssertEqual(chunk.headers.map(\.name), [":event-type", ":content-type", ":message-type"])
        XCTAssertEqual(chunk.eventType, "chunk")
        XCTAssertEqual(chunk.messageType, "event")
        XCTAssertEqual(chunk.contentType, "application/json")
        XCTAssertEqual(String(decoding: chunk.payload, as: UTF8.self),
                       #"{"bytes":"\#(Data(model).base64EncodedString())"}"#)
        XCTAssertEqual(BedrockEventStream.chunkBytes(of: chunk), model)
        XCTAssertNil(BedrockEventStream.chunkBytes(of: BedrockEventStream.messageStop()))
    }

    func testConverseEventsAreValidJSON() throws {
        let events = [
            BedrockEventStream.messageStart(),
            BedrockEventStream.contentBlockDelta(index: 2, text: "quote \" backslash \\ newline \n tab \t ctl \u{1}"),
            BedrockEventStream.contentBlockStop(index: 2),
            BedrockEventStream.messageStop(stopReason: "max_tokens"),
            BedrockEventStream.metadata(inputTokens: 3, outputTokens: 4, latencyMs: 5),
        ]
        XCTAssertEqual(events.map { $0.eventType! },
                       ["messageStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"])
        let objects = try events.map { try JSONSerialization.jsonObject(with: Data($0.payload)) as! [String: Any] }
        XCTAssertEqual(objects[0]["role"] as? String, "assistant")
        XCTAssertEqual((objects[1]["delta"] as? [String: Any])?["text"] as? String,
                       "quote \" backslash \\ newline \n tab \t ctl \u{1}")
        XCTAssertEqual(objects[1]["contentBlockIndex"] as? Int, 2)
        XCTAssertEqual(objects[3]["stopReason"] as? String, "max_tokens")
        let usage = objects[4]["usage"] as? [String: Int]
        XCTAssertEqual(usage, ["inputTokens": 3, "outputTokens": 4, "totalTokens": 7])
    }

    func testExceptionFrameRoundTrip() throws {
        let frame = BedrockEventStream.exception(.modelStreamError("model broke"))
        XCTAssertEqual(frame.messageType, "exception")
        XCTAssertEqual(frame.exceptionType, "modelStreamErrorException")
        XCTAssertEqual(String(decoding: frame.payload, as: UTF8.self), #"{"message":"model broke"}"#)
        let error = BedrockEventStream.error(of: frame)
        XCTAssertEqual(error?.name, "ModelStreamErrorException")
        XCTAssertEqual(error?.status, 424)
        XCTAssertEqual(error?.message, "model broke")
        XCTAssertNil(BedrockEventStream.error(of: BedrockEventStream.messageStop()))
    }
}
