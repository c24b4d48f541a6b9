import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests: a random free port, one thread per connection, canned answers.
///
/// Each request is read whole (headers and a `Content-Length` body) and passed to the handler; the handler's response
/// is sent with `Connection: close`. A handler that returns `nil` never answers: the connection stays open until the
/// client gives up or the server stops (for timeout tests). The server stops when ``stop()`` is called or the value
/// dies. Not for production: no keep-alive, no chunked bodies, no TLS.
public final class LocalHTTPServer: @unchecked Sendable {
    /// A request as the server read it.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: Data

        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// A canned answer.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        public init(status: Int = 200, headers: [String: String] = [:], body: Data) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public init(status: Int = 200, contentType: String = "application/json", text: String) {
            self.init(status: status, headers: ["Content-Type": contentType], body: Data(text.utf8))
        }
    }

    public typealias Handler = @Sendable (Request) -> Response?

    /// The port the server listens on.
    public let port: UInt16
    /// `http://127.0.0.1:<port>`.
    public var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let core: Core

    /// Starts listening on 127.0.0.1 at a port the system picks.
    /// - Throws: when a socket cannot be created, bound or listened on.
    public init(handler: @escaping Handler) throws {
        let fd = socket(AF_INET, Self.streamType, 0)
        guard fd >= 0 else { throw Self.posixError("socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = Self.posixError("bind/listen")
            close(fd)
            throw error
        }
        port = Self.localPort(of: fd)
        core = Core(listener: fd, handler: handler)
        let core = self.core
        let thread = Thread { core.acceptLoop() }
        thread.name = "LocalHTTPServer \(port)"
        thread.start()
    }

    /// A server that answers every request with `response`.
    public convenience init(response: Response) throws {
        try self.init { _ in response }
    }

    deinit { stop() }

    /// The requests received so far, in order.
    public var requests: [Request] { core.requests }

    /// Stops listening and closes every open connection. Safe to call more than once.
    public func stop() { core.stop() }

    /// A port on 127.0.0.1 where nothing listens (bound for a moment, then released), for "connection refused" tests.
    public static func unusedPort() throws -> UInt16 {
        let fd = socket(AF_INET, streamType, 0)
        guard fd >= 0 else { throw posixError("socket") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw posixError("bind") }
        return localPort(of: fd)
    }

    /// The listening socket and the connections; threads hold it, not the server, so the server can die and stop it.
    /// `lock` guards the mutable state: connection threads and the test's thread all touch it.
    private final class Core: @unchecked Sendable {
        let listener: Int32
        let handler: Handler
        private let lock = NSLock()
        private var openConnections: Set<Int32> = []
        private var received: [Request] = []
        private var stopped = false

        init(listener: Int32, handler: @escaping Handler) {
            self.listener = listener
            self.handler = handler
        }

        var requests: [Request] {
            lock.lock()
            defer { lock.unlock() }
            return received
        }

        /// Shuts the sockets down under the lock; the threads that own them close them (so no descriptor is closed
        /// while another thread may still use its number).
        func stop() {
            lock.lock()
            defer { lock.unlock() }
            guard !stopped else { return }
            stopped = true
            // shutdown() wakes the threads blocked in accept() and recv().
            shutdown(listener, Int32(SHUT_RDWR))
            for connection in openConnections { shutdown(connection, Int32(SHUT_RDWR)) }
        }

        func acceptLoop() {
            defer { close(listener) }
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    break  // the listener was shut down
                }
                lock.lock()
                if stopped {
                    lock.unlock()
                    close(connection)
                    break
                }
                openConnections.insert(connection)
                lock.unlock()
                let thread = Thread { [self] in
                    serve(connection)
                    lock.lock()
                    openConnections.remove(connection)
                    close(connection)
                    lock.unlock()
                }
                thread.start()
            }
        }

        private func serve(_ connection: Int32) {
            guard let request = readRequest(connection) else { return }
            lock.lock()
            received.append(request)
            lock.unlock()
            guard let response = handler(request) else {
                // Never answer: wait until the client hangs up or the server stops.
                var byte: UInt8 = 0
                while recv(connection, &byte, 1, 0) > 0 {}
                return
            }
            var head = "HTTP/1.1 \(response.status) \(LocalHTTPServer.reason(response.status))\r\n"
            var headers = response.headers
            headers["Content-Length"] = "\(response.body.count)"
            headers["Connection"] = "close"
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
            head += "\r\n"
            sendAll(connection, Data(head.utf8) + response.body)
        }

        private func readRequest(_ connection: Int32) -> Request? {
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 16_384)
            let separator = Data("\r\n\r\n".utf8)
            var headerEnd: Range<Data.Index>?
            while headerEnd == nil {
                let count = recv(connection, &buffer, buffer.count, 0)
                guard count > 0 else { return nil }
                data.append(contentsOf: buffer[0..<count])
                headerEnd = data.range(of: separator)
            }
            let head = String(decoding: data[..<headerEnd!.lowerBound], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            guard requestLine.count >= 2 else { return nil }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            var body = Data(data[headerEnd!.upperBound...])
            let length = Int(headers["content-length"] ?? "") ?? 0
            while body.count < length {
                let count = recv(connection, &buffer, buffer.count, 0)
                guard count > 0 else { return nil }
                body.append(contentsOf: buffer[0..<count])
            }
            return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body.prefix(length))
        }

        private func sendAll(_ connection: Int32, _ data: Data) {
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < raw.count {
                    let sent = send(connection, raw.baseAddress! + offset, raw.count - offset, LocalHTTPServer.noSignal)
                    if sent <= 0 { return }
                    offset += sent
                }
            }
        }
    }

    // MARK: POSIX details

    #if canImport(Glibc)
    fileprivate static let streamType = Int32(SOCK_STREAM.rawValue)
    fileprivate static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    fileprivate static let streamType = SOCK_STREAM
    fileprivate static let noSignal: Int32 = 0
    #endif

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func localPort(of fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func posixError(_ call: String) -> NSError {
        let code = errno
        return NSError(domain: NSPOSIXErrorDomain, code: Int(code),
                       userInfo: [NSLocalizedDescriptionKey: "\(call): \(String(cString: strerror(code)))"])
    }

    fileprivate static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
