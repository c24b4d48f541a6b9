import Foundation
import PhimCore
import PhimTesting
import Testing
@testable import PhimScript

@Suite struct LLMScriptWriterTests {
    /// A chat completion whose message content is `content`.
    static func completion(_ content: String) -> LocalHTTPServer.Response {
        let envelope: [String: Any] = [
            "id": "chatcmpl-1", "object": "chat.completion", "model": "test",
            "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": content]]],
        ]
        let data = try! JSONSerialization.data(withJSONObject: envelope)
        return LocalHTTPServer.Response(status: 200, headers: ["Content-Type": "application/json"], body: data)
    }

    static let goodReply = """
    {"title": "Năng lượng mặt trời",
     "scenes": [
       {"title": "Mở đầu", "narration": "Bạn có biết mặt trời có thể thắp sáng cả thành phố không?", "keywords": ["mặt trời"], "bullets": []},
       {"title": "Chi phí", "narration": "Giá tấm pin đã giảm 80% trong mười năm. TP. Hồ Chí Minh có hàng nghìn mái nhà lắp pin.",
        "keywords": ["tấm pin", "chi phí", "mái nhà", "giá", "thừa"], "bullets": ["Giá giảm 80%", "Lắp trên mái nhà"]},
       {"title": "", "narration": "Cảm ơn bạn đã theo dõi.", "keywords": [], "bullets": []}
     ]}
    """

    static func expectOneLine(_ error: PhimError?, contains fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(error != nil, sourceLocation: sourceLocation)
        guard let error else { return }
        #expect(error.code == .operationFailed, sourceLocation: sourceLocation)
        #expect(error.subject == .option("llm"), sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
    }

    @Test func validReplyBecomesAScript() async throws {
        let server = try LocalHTTPServer(response: Self.completion(Self.goodReply))
        let writer = LLMScriptWriter(endpoint: server.url, model: "llama", timeout: 5)
        let script = try await writer.script(for: "Năng lượng mặt trời", language: .vietnamese, style: .explainer,
                                             targetSeconds: 60, wordsPerSecond: 2.5)
        #expect(script.title == "Năng lượng mặt trời")
        #expect(script.scenes.map(\.role) == [.hook, .body, .closing])
        #expect(script.scenes[1].sentences == ["Giá tấm pin đã giảm 80% trong mười năm.", "TP. Hồ Chí Minh có hàng nghìn mái nhà lắp pin."])
        #expect(script.scenes[1].keywords == ["tấm pin", "chi phí", "mái nhà", "giá"])
        #expect(script.scenes[1].bullets == ["Giá giảm 80%", "Lắp trên mái nhà"])
        #expect(script.scenes[1].figures.map(\.text) == ["80%"])
        #expect(script.scenes[2].title.isEmpty == false)
        #expect(script.wordCount > 20)

        // The request: the right path, the schema, the target length, the language, the model.
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions")
        let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        #expect(body["model"] as? String == "llama")
        let format = try #require(body["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        let schema = try #require((format["json_schema"] as? [String: Any])?["schema"] as? [String: Any])
        #expect(schema["required"] as? [String] == ["title", "scenes"])
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages.count == 2)
        #expect(messages[0]["content"]?.contains("JSON") == true)
        #expect(messages[1]["content"]?.contains("about 150 words") == true)
        #expect(messages[1]["content"]?.contains("Vietnamese") == true)
        #expect(messages[1]["content"]?.contains("Năng lượng mặt trời") == true)
    }

    @Test func endpointForms() {
        let expected = "http://127.0.0.1:8080/v1/chat/completions"
        for form in ["http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/",
                     "http://127.0.0.1:8080/v1/chat/completions"] {
            #expect(LLMScriptWriter(endpoint: URL(string: form)!).completionsURL.absoluteString == expected, "\(form)")
        }
        #expect(LLMScriptWriter(endpoint: URL(string: "http://host/api/v1")!).completionsURL.absoluteString == "http://host/api/v1/chat/completions")
    }

    @Test func codeFenceAroundTheJSONIsTolerated() async throws {
        let server = try LocalHTTPServer(response: Self.completion("```json\n" + Self.goodReply + "\n```"))
        let script = try await LLMScriptWriter(endpoint: server.url, timeout: 5)
            .script(for: "x", language: .vietnamese, style: .ad, targetSeconds: nil, wordsPerSecond: 2.5)
        #expect(script.scenes.count == 3)
        #expect(script.style == .ad)
        let body = try #require(try JSONSerialization.jsonObject(with: server.requests[0].body) as? [String: Any])
        #expect(body["model"] == nil)
    }

    @Test func invalidJSON() async throws {
        let server = try LocalHTTPServer(response: Self.completion("Sure! Here is your script: title Solar"))
        let error = await caught {
            try await LLMScriptWriter(endpoint: server.url, timeout: 5)
                .script(for: "x", language: .english, style: .explainer, targetSeconds: 30, wordsPerSecond: 2.5)
        }
        Self.expectOneLine(error, contains: "not valid JSON")

        let html = try LocalHTTPServer(response: .init(status: 200, contentType: "text/html", text: "<html>\n<body>hi</body></html>"))
        let envelopeError = await caught {
            try await LLMScriptWriter(endpoint: html.url, timeout: 5)
                .script(for: "x", language: .english, style: .explainer, targetSeconds: 30, wordsPerSecond: 2.5)
        }
        Self.expectOneLine(envelopeError, contains: "server's reply is not valid JSON")
    }

    @Test(arguments: [
        (#"{"title": "T", "scenes": [{"title": "A", "narration": 5, "keywords": [], "bullets": []}]}"#, "scenes[0].narration"),
        (#"{"title": "T", "scenes": [{"title": "A", "narration": "Hi.", "keywords": [1], "bullets": []}]}"#, "scenes[0].keywords[0]"),
        (#"{"title": "T", "scenes": [{"title": "A", "narration": "Hi.", "keywords": []}]}"#, "scenes[0].bullets"),
        (#"{"scenes": []}"#, "title"),
        (#"{"title": "T", "scenes": [{"title": "A", "narration": "Hi.", "keywords": [], "bullets": [], "mood": "x"}]}"#, "scenes[0].mood"),
        (#"{"title": "T", "scenes": "none"}"#, "'scenes' must be an array"),
        (#"[1, 2]"#, "must be a JSON object"),
    ])
    func schemaMismatch(reply: String, field: String) async throws {
        let server = try LocalHTTPServer(response: Self.completion(reply))
        let error = await caught {
            try await LLMScriptWriter(endpoint: server.url, timeout: 5)
                .script(for: "x", language: .english, style: .explainer, targetSeconds: 30, wordsPerSecond: 2.5)
        }
        Self.expectOneLine(error, contains: "does not match the script schema")
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "")")
    }

    @Test func emptyScenes() async throws {
        let server = try LocalHTTPServer(response: Self.completion(#"{"title": "T", "scenes": []}"#))
        let error = await caught {
            try await LLMScriptWriter(endpoint: server.url, timeout: 5)
                .script(for: "x", language: .english, style: .explainer, targetSeconds: 30, wordsPerSecond: 2.5)
        }
        Self.expectOneLine(error, contains: "no scenes")
    }

    @Test func httpError() async throws {
        let server = try LocalHTTPServer(response: .init(status: 500, contentType: "text/plain", text: "model not loaded\nretry later"))
        let error = await caught {
            try await LLMScriptWriter(endpoint: server.url, timeout: 5)
                .script(for: "x", language: .english, style: .explainer, targetSeconds: 30, wordsPerSecond: 2.5)
        }
        Self.expectOneLine(error, contains: "HTTP 500")
        #expect(error?.message.contains("model not loaded retry later") == true)
    }

    @Test func serverErrorObject() async throws {
        let server = try LocalHTTPServer(response: .init(text: #"{"error": {"message": "context too long"}}"#))
        let error = await caught {
            try await LLMScriptWriter(endpoint: server.url, timeout: 5)
                .script(for: "x", language: .english, style: .explainer, targetSeconds: 30, wordsPerSecond: 2.5)
        }
        Self.expectOneLine(error, contains: "context too long")
    }

    // A writer that never gave up would hang here; the time limit turns that into a failure.
    @Test(.timeLimit(.minutes(10))) func timeout() async throws {
        let server = try LocalHTTPServer { _ in nil }  // reads the request, never answers
        let start = Date()
        let error = await caught {
            try await LLMScriptWriter(endpoint: server.url, timeout: 1)
                .script(for: "x", language: .english, style: .explainer, targetSeconds: 30, wordsPerSecond: 2.5)
        }
        let elapsed = Date().timeIntervalSince(start)
        Self.expectOneLine(error, contains: "timed out")
        #expect(error?.message.contains("1 s") == true)
        // The deadline fires after 1 s; run alone this takes about 1 s. No upper bound on the wall time: in a full
        // parallel run the awaiting task can wait minutes for a free thread of Swift's two-thread pool while other
        // suites do blocking work on it (218 s in one CI run), so only the time limit above catches a hang.
        #expect(elapsed >= 0.9, "took \(elapsed) s")
        server.stop()
    }

    @Test func connectionRefused() async throws {
        let port = try LocalHTTPServer.unusedPort()
        let error = await caught {
            try await LLMScriptWriter(endpoint: URL(string: "http://127.0.0.1:\(port)")!, timeout: 5)
                .script(for: "x", language: .english, style: .explainer, targetSeconds: 30, wordsPerSecond: 2.5)
        }
        Self.expectOneLine(error, contains: "connection refused")
        #expect(error?.message.contains("\(port)") == true)
    }

    @Test func notHTTP() async {
        let error = await caught {
            try await LLMScriptWriter(endpoint: URL(string: "ftp://example.com")!, timeout: 1)
                .script(for: "x", language: .english, style: .explainer, targetSeconds: 30, wordsPerSecond: 2.5)
        }
        Self.expectOneLine(error, contains: "not an http")
    }
}
