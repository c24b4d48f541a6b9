// Hand-written part of the CTorch shim: errors, handles, data access, autograd, generators, threads.
#include "internal.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/generated/variable_factories.h>

#include <cstring>
#include <new>
#include <sstream>
#include <stdexcept>

namespace {
thread_local std::string last_error;
}

namespace ctorch {

int fail(int status, const char *message) {
    last_error = message;
    return status;
}

int fail_with_current_exception() {
    try {
        throw;
    } catch (const c10::IndexError &e) {
        return fail(CTORCH_INDEX_ERROR, e.what_without_backtrace());
    } catch (const c10::ValueError &e) {
        return fail(CTORCH_VALUE_ERROR, e.what_without_backtrace());
    } catch (const c10::TypeError &e) {
        return fail(CTORCH_TYPE_ERROR, e.what_without_backtrace());
    } catch (const c10::NotImplementedError &e) {
        return fail(CTORCH_NOT_IMPLEMENTED, e.what_without_backtrace());
    } catch (const c10::OutOfMemoryError &e) {
        return fail(CTORCH_OUT_OF_MEMORY, e.what_without_backtrace());
    } catch (const c10::Error &e) {
        return fail(CTORCH_ERROR, e.what_without_backtrace());
    } catch (const std::bad_alloc &e) {
        return fail(CTORCH_OUT_OF_MEMORY, "out of memory");
    } catch (const std::invalid_argument &e) {
        return fail(CTORCH_INVALID_ARGUMENT, e.what());
    } catch (const std::exception &e) {
        return fail(CTORCH_ERROR, e.what());
    } catch (...) {
        return fail(CTORCH_ERROR, "unknown C++ exception");
    }
}

std::vector<at::Tensor> unwrap_list(const ctorch_tensor *handles, int64_t count) {
    std::vector<at::Tensor> tensors;
    tensors.reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) tensors.push_back(unwrap(handles[i]));
    return tensors;
}

void wrap_list(const std::vector<at::Tensor> &tensors, ctorch_tensor **out, int64_t *count) {
    auto handles = static_cast<ctorch_tensor *>(std::malloc(sizeof(ctorch_tensor) * (tensors.size() + 1)));
    if (handles == nullptr) throw std::bad_alloc();
    for (size_t i = 0; i < tensors.size(); ++i) handles[i] = wrap(tensors[i]);
    *out = handles;
    *count = static_cast<int64_t>(tensors.size());
}

at::ScalarType scalar_type(int dtype) {
    switch (dtype) {
        case CTORCH_FLOAT32: return at::kFloat;
        case CTORCH_FLOAT16: return at::kHalf;
        case CTORCH_BFLOAT16: return at::kBFloat16;
        case CTORCH_FLOAT64: return at::kDouble;
        case CTORCH_INT64: return at::kLong;
        case CTORCH_INT32: return at::kInt;
        case CTORCH_UINT8: return at::kByte;
        case CTORCH_BOOL: return at::kBool;
        case CTORCH_INT8: return at::kChar;
        case CTORCH_INT16: return at::kShort;
    }
    throw std::invalid_argument("unknown dtype code " + std::to_string(dtype));
}

int dtype_code(at::ScalarType type) {
    switch (type) {
        case at::kFloat: return CTORCH_FLOAT32;
        case at::kHalf: return CTORCH_FLOAT16;
        case at::kBFloat16: return CTORCH_BFLOAT16;
        case at::kDouble: return CTORCH_FLOAT64;
        case at::kLong: return CTORCH_INT64;
        case at::kInt: return CTORCH_INT32;
        case at::kByte: return CTORCH_UINT8;
        case at::kBool: return CTORCH_BOOL;
        case at::kChar: return CTORCH_INT8;
        case at::kShort: return CTORCH_INT16;
        default: throw std::invalid_argument(std::string("unsupported dtype ") + c10::toString(type));
    }
}

at::Device device(int type, int index) {
    switch (type) {
        case CTORCH_CPU: return at::Device(at::kCPU);
        case CTORCH_CUDA: return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    throw std::invalid_argument("unknown device type " + std::to_string(type));
}

c10::optional<at::Generator> generator(ctorch_generator handle) {
    if (handle == nullptr) return c10::nullopt;
    return handle->generator;
}

}  // namespace ctorch

using ctorch::unwrap;

namespace {
at::Generator generator_or_default(ctorch_generator generator) {
    return generator ? generator->generator : at::detail::getDefaultCPUGenerator();
}
}  // namespace

extern "C" {

const char *ctorch_last_error(void) { return last_error.c_str(); }

const char *ctorch_version(void) { return TORCH_VERSION; }

int ctorch_set_num_threads(int64_t count) {
    CTORCH_TRY
    if (count < 1) throw std::invalid_argument("the thread count must be at least 1");
    at::set_num_threads(static_cast<int>(count));
    CTORCH_CATCH
}

int64_t ctorch_get_num_threads(void) { return at::get_num_threads(); }

bool ctorch_cuda_is_available(void) { return at::hasCUDA(); }

int64_t ctorch_cuda_device_count(void) {
    try {
        return at::hasCUDA() ? static_cast<int64_t>(at::detail::getCUDAHooks().getNumGPUs()) : 0;
    } catch (...) {
        return 0;
    }
}

int ctorch_manual_seed(uint64_t seed) {
    CTORCH_TRY
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
    CTORCH_CATCH
}

void ctorch_tensor_free(ctorch_tensor tensor) { delete tensor; }

void ctorch_handles_free(ctorch_tensor *handles) { std::free(handles); }

int ctorch_tensor_from_bytes(const void *data, size_t nbytes, const int64_t *shape, int64_t ndim, int dtype,
                             ctorch_tensor *out) {
    CTORCH_TRY
    auto type = ctorch::scalar_type(dtype);
    at::IntArrayRef sizes(shape, static_cast<size_t>(ndim));
    auto tensor = at::empty(sizes, at::TensorOptions().dtype(type));
    if (static_cast<size_t>(tensor.nbytes()) != nbytes) {
        throw std::invalid_argument("the buffer holds " + std::to_string(nbytes) + " bytes but shape " +
                                    c10::str(sizes) + " of " + c10::toString(type) + " needs " +
                                    std::to_string(tensor.nbytes()));
    }
    if (nbytes > 0) std::memcpy(tensor.data_ptr(), data, nbytes);
    *out = ctorch::wrap(std::move(tensor));
    CTORCH_CATCH
}

int ctorch_tensor_copy_bytes(ctorch_tensor tensor, void *buffer, size_t nbytes) {
    CTORCH_TRY
    auto source = unwrap(tensor).detach().to(at::kCPU).contiguous();
    if (static_cast<size_t>(source.nbytes()) != nbytes) {
        throw std::invalid_argument("the tensor holds " + std::to_string(source.nbytes()) +
                                    " bytes, the buffer " + std::to_string(nbytes));
    }
    if (nbytes > 0) std::memcpy(buffer, source.data_ptr(), nbytes);
    CTORCH_CATCH
}

int ctorch_tensor_data(ctorch_tensor tensor, void **out) {
    CTORCH_TRY
    const auto &t = unwrap(tensor);
    if (!t.device().is_cpu()) throw std::invalid_argument("the tensor is not on the CPU");
    *out = t.numel() == 0 ? nullptr : t.data_ptr();
    CTORCH_CATCH
}

int ctorch_tensor_dim(ctorch_tensor tensor, int64_t *out) {
    CTORCH_TRY
    *out = unwrap(tensor).dim();
    CTORCH_CATCH
}

int ctorch_tensor_sizes(ctorch_tensor tensor, int64_t *sizes, int64_t capacity) {
    CTORCH_TRY
    auto s = unwrap(tensor).sizes();
    for (int64_t i = 0; i < capacity && i < static_cast<int64_t>(s.size()); ++i) sizes[i] = s[i];
    CTORCH_CATCH
}

int ctorch_tensor_strides(ctorch_tensor tensor, int64_t *strides, int64_t capacity) {
    CTORCH_TRY
    auto s = unwrap(tensor).strides();
    for (int64_t i = 0; i < capacity && i < static_cast<int64_t>(s.size()); ++i) strides[i] = s[i];
    CTORCH_CATCH
}

int ctorch_tensor_numel(ctorch_tensor tensor, int64_t *out) {
    CTORCH_TRY
    *out = unwrap(tensor).numel();
    CTORCH_CATCH
}

int ctorch_tensor_dtype(ctorch_tensor tensor, int *out) {
    CTORCH_TRY
    *out = ctorch::dtype_code(unwrap(tensor).scalar_type());
    CTORCH_CATCH
}

int ctorch_tensor_device(ctorch_tensor tensor, int *type, int *index) {
    CTORCH_TRY
    auto d = unwrap(tensor).device();
    *type = d.is_cuda() ? CTORCH_CUDA : CTORCH_CPU;
    *index = d.has_index() ? d.index() : 0;
    CTORCH_CATCH
}

int ctorch_tensor_is_contiguous(ctorch_tensor tensor, bool *out) {
    CTORCH_TRY
    *out = unwrap(tensor).is_contiguous();
    CTORCH_CATCH
}

int ctorch_tensor_element_size(int dtype, int64_t *out) {
    CTORCH_TRY
    *out = static_cast<int64_t>(c10::elementSize(ctorch::scalar_type(dtype)));
    CTORCH_CATCH
}

int ctorch_tensor_description(ctorch_tensor tensor, char **out) {
    CTORCH_TRY
    std::ostringstream stream;
    stream << unwrap(tensor);
    *out = strdup(stream.str().c_str());
    if (*out == nullptr) throw std::bad_alloc();
    CTORCH_CATCH
}

void ctorch_string_free(char *string) { std::free(string); }

int ctorch_tensor_requires_grad(ctorch_tensor tensor, bool *out) {
    CTORCH_TRY
    *out = unwrap(tensor).requires_grad();
    CTORCH_CATCH
}

int ctorch_tensor_set_requires_grad(ctorch_tensor tensor, bool requires_grad) {
    CTORCH_TRY
    // set_requires_grad is declared on a const reference but changes the shared TensorImpl.
    unwrap(tensor).set_requires_grad(requires_grad);
    CTORCH_CATCH
}

int ctorch_tensor_is_leaf(ctorch_tensor tensor, bool *out) {
    CTORCH_TRY
    *out = unwrap(tensor).is_leaf();
    CTORCH_CATCH
}

int ctorch_tensor_grad(ctorch_tensor tensor, ctorch_tensor *out) {
    CTORCH_TRY
    const auto &grad = unwrap(tensor).grad();
    *out = grad.defined() ? ctorch::wrap(grad) : nullptr;
    CTORCH_CATCH
}

int ctorch_tensor_set_grad(ctorch_tensor tensor, ctorch_tensor grad) {
    CTORCH_TRY
    auto &slot = unwrap(tensor).mutable_grad();
    if (grad == nullptr) {
        slot.reset();
    } else {
        slot = unwrap(grad);
    }
    CTORCH_CATCH
}

int ctorch_tensor_retain_grad(ctorch_tensor tensor) {
    CTORCH_TRY
    unwrap(tensor).retain_grad();
    CTORCH_CATCH
}

int ctorch_backward(ctorch_tensor tensor, ctorch_tensor gradient, bool retain_graph, bool create_graph) {
    CTORCH_TRY
    at::Tensor grad = gradient ? unwrap(gradient) : at::Tensor();
    unwrap(tensor).backward(grad, retain_graph, create_graph);
    CTORCH_CATCH
}

int ctorch_autograd_grad(const ctorch_tensor *outputs, int64_t output_count, const ctorch_tensor *grad_outputs,
                         const ctorch_tensor *inputs, int64_t input_count, bool retain_graph, bool create_graph,
                         bool allow_unused, ctorch_tensor *results) {
    CTORCH_TRY
    auto outs = ctorch::unwrap_list(outputs, output_count);
    std::vector<at::Tensor> grads;
    if (grad_outputs != nullptr) {
        for (int64_t i = 0; i < output_count; ++i) {
            grads.push_back(grad_outputs[i] ? unwrap(grad_outputs[i]) : at::Tensor());
        }
    }
    auto ins = ctorch::unwrap_list(inputs, input_count);
    auto result = torch::autograd::grad(outs, ins, grads, retain_graph, create_graph, allow_unused);
    for (int64_t i = 0; i < input_count; ++i) {
        results[i] = result[i].defined() ? ctorch::wrap(result[i]) : nullptr;
    }
    CTORCH_CATCH
}

int ctorch_set_grad_enabled(bool enabled, bool *previous) {
    CTORCH_TRY
    if (previous != nullptr) *previous = at::GradMode::is_enabled();
    at::GradMode::set_enabled(enabled);
    CTORCH_CATCH
}

bool ctorch_is_grad_enabled(void) { return at::GradMode::is_enabled(); }

int ctorch_generator_new(uint64_t seed, ctorch_generator *out) {
    CTORCH_TRY
    *out = new ctorch_generator_s{at::make_generator<at::CPUGeneratorImpl>(seed)};
    CTORCH_CATCH
}

void ctorch_generator_free(ctorch_generator generator) { delete generator; }

int ctorch_generator_get_state(ctorch_generator generator, ctorch_tensor *out) {
    CTORCH_TRY
    auto gen = generator_or_default(generator);
    std::lock_guard<std::mutex> lock(gen.mutex());
    *out = ctorch::wrap(gen.get_state());
    CTORCH_CATCH
}

int ctorch_generator_set_state(ctorch_generator generator, ctorch_tensor state) {
    CTORCH_TRY
    auto gen = generator_or_default(generator);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(unwrap(state));
    CTORCH_CATCH
}

int ctorch_generator_set_seed(ctorch_generator generator, uint64_t seed) {
    CTORCH_TRY
    auto gen = generator_or_default(generator);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
    CTORCH_CATCH
}

}  // extern "C"
