// Distributed data-parallel support: a Gloo process group that meets at a c10d TCPStore.
#include "internal.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>

struct ctorch_process_group_s {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

namespace {

/// Gloo needs a network device to bind. `GLOO_SOCKET_IFNAME` names an interface (as in PyTorch);
/// otherwise a loopback store address binds loopback, and any other address the machine's hostname.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string &host) {
    if (const char *interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface) {
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    }
    if (host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1") {
        return c10d::ProcessGroupGloo::createDeviceForHostname(host);
    }
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10d::ProcessGroupGloo &group_of(ctorch_process_group group) {
    if (group == nullptr) throw std::invalid_argument("the process group is NULL");
    return *group->group;
}

}  // namespace

extern "C" {

int ctorch_process_group_new(const char *host, int port, int rank, int world_size, double timeout_seconds,
                             ctorch_process_group *out) {
    CTORCH_TRY
    if (world_size < 1 || rank < 0 || rank >= world_size) {
        throw std::invalid_argument("rank " + std::to_string(rank) + " is outside a world of " +
                                    std::to_string(world_size));
    }
    if (port < 1 || port > 65535) throw std::invalid_argument("port " + std::to_string(port) + " is out of range");
    auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = rank == 0;
    options.numWorkers = static_cast<size_t>(world_size);
    options.waitWorkers = true;
    options.timeout = timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(std::string(host), options);
    auto group_options = c10d::ProcessGroupGloo::Options::create(timeout);
    group_options->devices.push_back(gloo_device(host));
    group_options->threads = 2;
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world_size, group_options);
    *out = new ctorch_process_group_s{store, group};
    CTORCH_CATCH
}

void ctorch_process_group_free(ctorch_process_group group) { delete group; }

int ctorch_process_group_all_reduce_sum(ctorch_process_group group, const ctorch_tensor *tensors, int64_t count) {
    CTORCH_TRY
    auto &pg = group_of(group);
    auto list = ctorch::unwrap_list(tensors, count);
    if (list.empty()) return CTORCH_OK;
    // Gloo reduces a list as one tensor per device, so the tensors go through one flat buffer:
    // one collective a step however many parameters the model has.
    std::vector<at::Tensor> flat;
    flat.reserve(list.size());
    for (auto &t : list) {
        if (t.scalar_type() != list[0].scalar_type()) throw std::invalid_argument("all-reduce needs one dtype");
        flat.push_back(t.detach().reshape({-1}));
    }
    std::vector<at::Tensor> buffer{at::cat(flat)};
    pg.allreduce(buffer, c10d::AllreduceOptions{})->wait();
    int64_t offset = 0;
    for (auto &t : list) {
        auto n = t.numel();
        t.detach().copy_(buffer[0].narrow(0, offset, n).view(t.sizes()));
        offset += n;
    }
    CTORCH_CATCH
}

int ctorch_process_group_broadcast(ctorch_process_group group, const ctorch_tensor *tensors, int64_t count,
                                   int root) {
    CTORCH_TRY
    auto &pg = group_of(group);
    auto list = ctorch::unwrap_list(tensors, count);
    c10d::BroadcastOptions options;
    options.rootRank = root;
    for (auto &t : list) {
        std::vector<at::Tensor> one{t.detach().contiguous()};
        pg.broadcast(one, options)->wait();
        if (one[0].data_ptr() != t.data_ptr()) t.detach().copy_(one[0]);
    }
    CTORCH_CATCH
}

int ctorch_process_group_barrier(ctorch_process_group group) {
    CTORCH_TRY
    group_of(group).barrier(c10d::BarrierOptions{})->wait();
    CTORCH_CATCH
}

}  // extern "C"
