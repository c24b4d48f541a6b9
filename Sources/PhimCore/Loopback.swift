import Foundation

/// The loopback interface, where processes of one machine meet (data-parallel training's workers).
public enum Loopback {
    /// A TCP port free on 127.0.0.1 now (the kernel's pick; another process may take it before it is used).
    public static func freePort() throws(PhimError) -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw PhimError(.operationFailed, "cannot open a socket", subject: .option("port")) }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
            }
        }
        guard bound else { throw PhimError(.operationFailed, "cannot find a free port on 127.0.0.1", subject: .option("port")) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

}
