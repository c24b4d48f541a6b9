import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PhimCore

/// Writes a script with a language model behind an OpenAI-compatible chat endpoint (llama.cpp's server, Ollama, vLLM,
/// LM Studio, OpenAI itself).
///
/// It sends one chat completion request asking for a JSON object (through `response_format` with a JSON schema, and
/// in the prompt for servers that ignore it), checks the answer strictly and turns it into a ``Script``. Every failure
/// is a `PhimError(.operationFailed, reason, subject: .option("llm"))` with a one-line reason, so the caller can warn and
/// fall back to ``ScriptWriter``.
public struct LLMScriptWriter: Sendable {
    /// The chat completions URL requests go to.
    public let completionsURL: URL
    /// The model name sent with each request; `nil` leaves the field out (llama.cpp serves its one model).
    public let model: String?
    /// Seconds to wait for the server (for the connection and for each stretch without data).
    public let timeout: Double

    /// The longest source text sent, in characters; the rest is cut (about 8,000 tokens of context).
    public static let maxSourceCharacters = 24_000

    /// - Parameters:
    ///   - endpoint: the server's base URL (`http://127.0.0.1:8080`), its `/v1` URL or the full
    ///     `/v1/chat/completions` URL.
    ///   - model: the model to ask for, when the server needs one (Ollama, OpenAI).
    ///   - timeout: seconds to wait before giving up.
    public init(endpoint: URL, model: String? = nil, timeout: Double = 60) {
        completionsURL = Self.completionsURL(for: endpoint)
        self.model = model
        self.timeout = timeout
    }

    /// `<endpoint>/v1/chat/completions`, accepting an endpoint given with or without `/v1` or as the full path.
    static func completionsURL(for endpoint: URL) -> URL {
        var path = endpoint.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/chat/completions") { return endpoint }
        let suffix = path.hasSuffix("/v1") ? "/chat/completions" : "/v1/chat/completions"
        guard var components = URLComponents(url: endpoint, resolvingAgainstBaseURL: false) else {
            return endpoint.appendingPathComponent(suffix)
        }
        components.path = path + suffix
        return components.url ?? endpoint.appendingPathComponent(suffix)
    }

    /// Asks the model for a script about `text`.
    /// - Parameters:
    ///   - text: the article, outline or topic (cut to ``maxSourceCharacters``).
    ///   - targetSeconds: the narration's length; the prompt asks for `targetSeconds × wordsPerSecond` words.
    ///     `nil` asks for a concise script.
    ///   - wordsPerSecond: the voice's speaking rate.
    /// - Returns: a script whose first scene is the hook and last the closing (with three scenes or more), sentences
    ///   split with ``SentenceSplitter``, at most 4 keywords and 5 bullets a scene, figures found in the narration.
    /// - Throws: `PhimError(.operationFailed, …, subject: .option("llm"))` when the server cannot be reached, does not answer
    ///   within `timeout`, answers with a status other than 200, or its answer is not JSON, does not match the schema
    ///   (the message names the field) or has no scenes.
    public func script(for text: String, language: ScriptLanguage, style: ScriptStyle, targetSeconds: Double?,
                       wordsPerSecond: Double) async throws(PhimError) -> Script {
        let targetWords = targetSeconds.map { max(10, Int(($0 * wordsPerSecond).rounded())) }
        let request = try makeRequest(text: text, language: language, style: style, targetWords: targetWords)
        let (data, response) = try await send(request)
        guard response.statusCode == 200 else {
            throw Self.failure("\(completionsURL.absoluteString) answered HTTP \(response.statusCode)\(Self.snippet(data, prefix: ": "))")
        }
        let content = try Self.messageContent(data)
        let reply = try LLMScriptReply.parse(content)
        return reply.script(language: language, style: style)
    }

    // MARK: The request

    func makeRequest(text: String, language: ScriptLanguage, style: ScriptStyle, targetWords: Int?) throws(PhimError) -> URLRequest {
        guard let scheme = completionsURL.scheme?.lowercased(), scheme == "http" || scheme == "https", completionsURL.host != nil else {
            throw Self.failure("\(completionsURL.absoluteString.quoted()) is not an http:// or https:// URL")
        }
        var body: [String: Any] = [
            "messages": [
                ["role": "system", "content": LLMPrompt.system],
                ["role": "user", "content": LLMPrompt.user(text: String(text.nfc.prefix(Self.maxSourceCharacters)), language: language,
                                                            style: style, targetWords: targetWords)],
            ],
            "temperature": 0.4,
            "stream": false,
            "response_format": [
                "type": "json_schema",
                "json_schema": ["name": "phim_script", "strict": true, "schema": LLMPrompt.schema],
            ],
        ]
        if let model { body["model"] = model }
        var request = URLRequest(url: completionsURL, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        do {
            request.httpBody = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        } catch {
            throw Self.failure("cannot encode the request (\(error))")
        }
        return request
    }

    // MARK: Sending

    private func send(_ request: URLRequest) async throws(PhimError) -> (Data, HTTPURLResponse) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 4
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let holder = TaskHolder()
        let outcome: Outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if holder.timedOut {
                        continuation.resume(returning: .failed(NSError(domain: NSURLErrorDomain, code: NSURLErrorTimedOut)))
                    } else if let error {
                        continuation.resume(returning: .failed(error as NSError))
                    } else if let response = response as? HTTPURLResponse {
                        continuation.resume(returning: .answered(data ?? Data(), response))
                    } else {
                        continuation.resume(returning: .failed(NSError(domain: NSURLErrorDomain, code: NSURLErrorBadServerResponse)))
                    }
                }
                holder.set(task)
                task.resume()
                // URLSession's own timer measures inactivity and can fire late on a busy machine; this deadline
                // bounds the whole exchange.
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { holder.timeOut() }
            }
        } onCancel: {
            holder.cancel()
        }
        switch outcome {
        case .answered(let data, let response):
            return (data, response)
        case .failed(let error):
            throw Self.failure(describe(error), underlying: error)
        }
    }

    private enum Outcome: @unchecked Sendable {
        // NSError and HTTPURLResponse are immutable once delivered.
        case answered(Data, HTTPURLResponse)
        case failed(NSError)
    }

    /// The running task, so that cancelling the Swift task cancels the request. A lock guards it: the cancellation
    /// handler may run on any thread.
    private final class TaskHolder: @unchecked Sendable {
        private let lock = NSLock()
        private var task: URLSessionDataTask?
        private var cancelled = false
        private var deadlinePassed = false

        var timedOut: Bool {
            lock.lock()
            defer { lock.unlock() }
            return deadlinePassed
        }

        /// The deadline passed: cancel the request, and report it as a timeout.
        func timeOut() {
            lock.lock()
            deadlinePassed = task?.state == .running || task?.state == .suspended
            let task = deadlinePassed ? self.task : nil
            lock.unlock()
            task?.cancel()
        }

        func set(_ task: URLSessionDataTask) {
            lock.lock()
            self.task = task
            let cancelNow = cancelled
            lock.unlock()
            if cancelNow { task.cancel() }
        }

        func cancel() {
            lock.lock()
            cancelled = true
            let task = self.task
            lock.unlock()
            task?.cancel()
        }
    }

    private func describe(_ error: NSError) -> String {
        let url = completionsURL.absoluteString
        guard error.domain == NSURLErrorDomain else { return "cannot reach \(url) (\(error.localizedDescription))" }
        switch error.code {
        case NSURLErrorTimedOut:
            return "no answer from \(url) within \(Self.seconds(timeout)) (timed out)"
        case NSURLErrorCannotConnectToHost:
            return "cannot connect to \(url) (connection refused; is the server running?)"
        case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed:
            return "cannot reach \(url) (unknown host '\(completionsURL.host ?? "")')"
        case NSURLErrorNetworkConnectionLost:
            return "the connection to \(url) was lost before the answer"
        case NSURLErrorCancelled:
            return "the request to \(url) was cancelled"
        case NSURLErrorBadServerResponse, NSURLErrorCannotParseResponse:
            return "\(url) did not answer with HTTP"
        default:
            return "cannot reach \(url) (\(Self.oneLine(error.localizedDescription)))"
        }
    }

    // MARK: The answer

    /// The assistant message's text in a chat completion response.
    static func messageContent(_ data: Data) throws(PhimError) -> String {
        let envelope: Any
        do {
            envelope = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw failure("the server's reply is not valid JSON\(snippet(data, prefix: ": "))")
        }
        guard let object = envelope as? [String: Any] else {
            throw failure("the server's reply is not a chat completion (expected a JSON object)")
        }
        if let error = object["error"] {
            let message = (error as? [String: Any])?["message"] as? String ?? "\(error)"
            throw failure("the server answered with an error: \(oneLine(message, limit: 160))")
        }
        guard let choices = object["choices"] as? [Any], let first = choices.first as? [String: Any] else {
            throw failure("the server's reply is not a chat completion (no 'choices')")
        }
        guard let message = first["message"] as? [String: Any], let content = message["content"] as? String else {
            throw failure("the server's reply has no message content in choices[0].message.content")
        }
        return content
    }

    static func failure(_ reason: String, underlying: (any Error & Sendable)? = nil) -> PhimError {
        PhimError(.operationFailed, oneLine(reason, limit: 300), subject: .option("llm"), underlying: underlying)
    }

    /// Text on one line, cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int = 200) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }

    /// The start of a reply body for a message, or nothing when it is empty.
    static func snippet(_ data: Data, prefix: String) -> String {
        let text = oneLine(String(decoding: data.prefix(400), as: UTF8.self), limit: 100)
        return text.isEmpty ? "" : prefix + text
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
