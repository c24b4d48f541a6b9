// Shared C++ helpers of the CTorch shim: handle wrapping, argument conversion, error capture.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "ctorch.h"

// A handle is a heap-allocated at::Tensor (a reference-counted pointer to the tensor's storage).
struct ctorch_tensor_s {
    at::Tensor tensor;
};
struct ctorch_generator_s {
    at::Generator generator;
};

namespace ctorch {

/// Records a failure for ctorch_last_error and returns its status code.
int fail(int status, const char *message);
/// Converts the exception in flight into a status code and a last-error message.
int fail_with_current_exception();

inline ctorch_tensor wrap(at::Tensor tensor) { return new ctorch_tensor_s{std::move(tensor)}; }
inline const at::Tensor &unwrap(ctorch_tensor handle) {
    if (handle == nullptr) throw std::invalid_argument("a tensor argument is NULL");
    return handle->tensor;
}
std::vector<at::Tensor> unwrap_list(const ctorch_tensor *handles, int64_t count);
void wrap_list(const std::vector<at::Tensor> &tensors, ctorch_tensor **out, int64_t *count);

at::ScalarType scalar_type(int dtype);
int dtype_code(at::ScalarType type);
at::Device device(int type, int index);
inline at::TensorOptions options(at::ScalarType dtype, at::Device device) {
    return at::TensorOptions().dtype(dtype).device(device);
}
c10::optional<at::Generator> generator(ctorch_generator handle);

}  // namespace ctorch

#define CTORCH_TRY try {
#define CTORCH_CATCH                               \
    return CTORCH_OK;                              \
    }                                              \
    catch (...) {                                  \
        return ctorch::fail_with_current_exception(); \
    }
