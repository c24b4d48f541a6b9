import PhimTensor

/// Data-parallel training over a ``ProcessGroup``: every rank holds a replica of the model, computes
/// gradients on its own share of the batch, and ``averageGradients()`` replaces each gradient by the
/// mean over ranks before the optimizer step, so the replicas stay identical.
///
/// ```swift
/// let group = try ProcessGroup(host: "127.0.0.1", port: 29500, rank: rank, worldSize: 2)
/// let ddp = try DistributedDataParallel(model, group: group)   // copies rank 0's weights to all
/// loss.backward(); try ddp.averageGradients(); try optimizer.step()
/// ```
public final class DistributedDataParallel {
    public let module: Module
    public let group: ProcessGroup
    let parameters: [Tensor]

    /// Wraps `module` and makes every rank start from rank 0's parameters and buffers.
    public init(_ module: Module, group: ProcessGroup) throws(TensorError) {
        self.module = module
        self.group = group
        parameters = module.parameters()
        let state = module.stateDict().map(\.1)
        try withNoGrad { () throws(TensorError) in try group.broadcast(state, root: 0) }
    }

    /// Averages the gradients over all ranks in one all-reduce. A parameter without a gradient on this
    /// rank takes part with zeros, so every rank sends the same layout.
    public func averageGradients() throws(TensorError) {
        try Self.averageGradients(of: parameters, group: group)
    }

    /// Averages the gradients of `parameters` (the same list, in the same order, on every rank) over the group's ranks:
    /// for models trained in parts, as a GAN's discriminator and generator are.
    public static func averageGradients(of parameters: [Tensor], group: ProcessGroup) throws(TensorError) {
        guard group.worldSize > 1 else { return }
        var grads: [Tensor] = []
        for p in parameters {
            if let g = p.grad {
                grads.append(g)
            } else {
                let zero = try withNoGrad { () throws(TensorError) -> Tensor in try p.detach().zerosLike() }
                try p.setGrad(zero)
                grads.append(zero)
            }
        }
        try withNoGrad { () throws(TensorError) in
            try group.allReduceSum(grads)
            try Tensor.mulInPlace(grads, 1 / Double(group.worldSize))
        }
    }

    /// Copies rank 0's buffers (batch-norm statistics) to every rank.
    public func synchronizeBuffers() throws(TensorError) {
        let buffers = module.namedBuffers().map(\.1)
        guard !buffers.isEmpty else { return }
        try withNoGrad { () throws(TensorError) in try group.broadcast(buffers, root: 0) }
    }
}
