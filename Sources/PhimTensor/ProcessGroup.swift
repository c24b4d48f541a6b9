internal import CTorch

/// A group of processes that exchange tensors through libtorch's c10d Gloo backend, for
/// distributed data-parallel training on one machine or several.
///
/// Every rank constructs the group with the same `host`, `port` and `worldSize`; rank 0 serves the
/// rendezvous store (a c10d `TCPStore`) at that address, the others connect to it. Collectives block
/// until every rank has joined them.
///
/// `@unchecked Sendable`: the Gloo process group is thread-safe (it queues collectives on its own threads);
/// call collectives in the same order on every rank.
public final class ProcessGroup: @unchecked Sendable {
    let handle: OpaquePointer
    /// This process's rank, `0..<worldSize`.
    public let rank: Int
    /// The number of processes.
    public let worldSize: Int

    /// Joins the group (blocks until all `worldSize` ranks have joined, or `timeout` seconds pass).
    /// - Throws: when the store cannot be reached or served, or the rank is outside the world.
    public init(host: String, port: Int, rank: Int, worldSize: Int, timeout: Double = 60) throws(TensorError) {
        var out: OpaquePointer?
        let status = ctorch_process_group_new(host, Int32(clamping: port), Int32(clamping: rank), Int32(clamping: worldSize), timeout, &out)
        guard status == 0, let out else {
            let error = TensorError.last(status == 0 ? 1 : status, "ProcessGroup.init(host:port:rank:worldSize:timeout:)")
            throw TensorError(error.code == .libtorch ? .distributed : error.code, error.message, function: error.function)
        }
        handle = out
        self.rank = rank
        self.worldSize = worldSize
    }

    deinit {
        ctorch_process_group_free(handle)
    }

    /// Replaces each tensor, in place, by its sum over all ranks (one collective for all tensors).
    public func allReduceSum(_ tensors: [Tensor]) throws(TensorError) {
        let handles = tensors.map { Optional($0.handle) }
        try torchCall(#function) { ctorch_process_group_all_reduce_sum(handle, handles, Int64(handles.count)) }
    }

    /// Overwrites each tensor, in place, with rank `root`'s.
    public func broadcast(_ tensors: [Tensor], root: Int = 0) throws(TensorError) {
        let handles = tensors.map { Optional($0.handle) }
        try torchCall(#function) { ctorch_process_group_broadcast(handle, handles, Int64(handles.count), Int32(root)) }
    }

    /// Waits until every rank reaches the barrier.
    public func barrier() throws(TensorError) {
        try torchCall(#function) { ctorch_process_group_barrier(handle) }
    }
}
