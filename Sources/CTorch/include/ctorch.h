// CTorch: a plain C interface over libtorch (PyTorch's C++ library) for PhimTensor.
//
// Why it exists: Swift cannot call libtorch's C++ API safely (exceptions, templates, overloads), so
// every entry point here is a C function that
//   - takes opaque handles (`ctorch_tensor`, `ctorch_generator`, `ctorch_process_group`), each
//     owning one C++ object and freed by its `*_free` function;
//   - returns an `int` status (`CTORCH_OK` or one of the error codes below);
//   - hands results back through out-parameters, as new owning handles;
//   - catches every C++ exception and keeps its message in a thread-local string that
//     `ctorch_last_error` returns until the next failing call on the same thread.
// Most op entry points are generated from generator/ops.txt (see ctorch_ops.h).
#ifndef CTORCH_H
#define CTORCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ctorch_tensor_s *ctorch_tensor;
typedef struct ctorch_generator_s *ctorch_generator;
typedef struct ctorch_process_group_s *ctorch_process_group;

/// Status codes. Anything but CTORCH_OK leaves a message for ctorch_last_error().
enum {
    CTORCH_OK = 0,
    CTORCH_ERROR = 1,              // c10::Error and anything not listed below
    CTORCH_INDEX_ERROR = 2,        // c10::IndexError
    CTORCH_VALUE_ERROR = 3,        // c10::ValueError
    CTORCH_TYPE_ERROR = 4,         // c10::TypeError
    CTORCH_NOT_IMPLEMENTED = 5,    // c10::NotImplementedError
    CTORCH_OUT_OF_MEMORY = 6,      // std::bad_alloc, c10::OutOfMemoryError
    CTORCH_DISTRIBUTED_ERROR = 7,  // c10d and Gloo failures
    CTORCH_INVALID_ARGUMENT = 8,   // checks made by the shim itself
};

/// Element types. The numbers are CTorch's own and stable; they are not ATen's.
enum {
    CTORCH_FLOAT32 = 0,
    CTORCH_FLOAT16 = 1,
    CTORCH_BFLOAT16 = 2,
    CTORCH_FLOAT64 = 3,
    CTORCH_INT64 = 4,
    CTORCH_INT32 = 5,
    CTORCH_UINT8 = 6,
    CTORCH_BOOL = 7,
    CTORCH_INT8 = 8,
    CTORCH_INT16 = 9,
};

/// Device types.
enum { CTORCH_CPU = 0, CTORCH_CUDA = 1 };

/// The message of the last failing call on this thread ("" if none). Valid until the next failing call.
const char *ctorch_last_error(void);

// MARK: Library
/// libtorch's version, e.g. "1.13.1".
const char *ctorch_version(void);
int ctorch_set_num_threads(int64_t count);
int64_t ctorch_get_num_threads(void);
bool ctorch_cuda_is_available(void);
int64_t ctorch_cuda_device_count(void);
/// Seeds the default CPU generator (and CUDA's, when present).
int ctorch_manual_seed(uint64_t seed);

// MARK: Tensor handles
void ctorch_tensor_free(ctorch_tensor tensor);
/// Frees an array of handles returned by a list-returning op (the handles themselves are kept).
void ctorch_handles_free(ctorch_tensor *handles);
/// A new tensor of `shape` and `dtype` on the CPU holding a copy of `nbytes` bytes at `data`.
int ctorch_tensor_from_bytes(const void *data, size_t nbytes, const int64_t *shape, int64_t ndim, int dtype,
                             ctorch_tensor *out);
/// Copies the elements, in row-major order and the tensor's own dtype, into `buffer` of exactly `nbytes`.
int ctorch_tensor_copy_bytes(ctorch_tensor tensor, void *buffer, size_t nbytes);
/// The address of the first element of a CPU tensor (NULL for empty tensors).
int ctorch_tensor_data(ctorch_tensor tensor, void **out);
int ctorch_tensor_dim(ctorch_tensor tensor, int64_t *out);
/// Writes min(dim, capacity) sizes.
int ctorch_tensor_sizes(ctorch_tensor tensor, int64_t *sizes, int64_t capacity);
int ctorch_tensor_strides(ctorch_tensor tensor, int64_t *strides, int64_t capacity);
int ctorch_tensor_numel(ctorch_tensor tensor, int64_t *out);
int ctorch_tensor_dtype(ctorch_tensor tensor, int *out);
int ctorch_tensor_device(ctorch_tensor tensor, int *type, int *index);
int ctorch_tensor_is_contiguous(ctorch_tensor tensor, bool *out);
int ctorch_tensor_element_size(int dtype, int64_t *out);
/// A short text form of the tensor (libtorch's printer).
int ctorch_tensor_description(ctorch_tensor tensor, char **out);
void ctorch_string_free(char *string);

// MARK: Autograd
int ctorch_tensor_requires_grad(ctorch_tensor tensor, bool *out);
int ctorch_tensor_set_requires_grad(ctorch_tensor tensor, bool requires_grad);
int ctorch_tensor_is_leaf(ctorch_tensor tensor, bool *out);
/// The accumulated gradient, or NULL in *out when there is none.
int ctorch_tensor_grad(ctorch_tensor tensor, ctorch_tensor *out);
/// Replaces the gradient; `grad` NULL removes it.
int ctorch_tensor_set_grad(ctorch_tensor tensor, ctorch_tensor grad);
int ctorch_tensor_retain_grad(ctorch_tensor tensor);
/// Back-propagates from `tensor` (`gradient` NULL means ones, allowed for one-element tensors).
int ctorch_backward(ctorch_tensor tensor, ctorch_tensor gradient, bool retain_graph, bool create_graph);
/// Gradients of `outputs` with respect to `inputs` (torch::autograd::grad); `grad_outputs` may be NULL
/// or hold NULL entries. Writes `input_count` handles to `results` (NULL where an input is unused).
int ctorch_autograd_grad(const ctorch_tensor *outputs, int64_t output_count, const ctorch_tensor *grad_outputs,
                         const ctorch_tensor *inputs, int64_t input_count, bool retain_graph, bool create_graph,
                         bool allow_unused, ctorch_tensor *results);
/// Enables or disables gradient recording on this thread; writes the previous state.
int ctorch_set_grad_enabled(bool enabled, bool *previous);
bool ctorch_is_grad_enabled(void);

// MARK: Random number generators
/// A new CPU generator (mt19937) seeded with `seed`.
int ctorch_generator_new(uint64_t seed, ctorch_generator *out);
void ctorch_generator_free(ctorch_generator generator);
/// The generator's complete state as a uint8 tensor. `generator` NULL means the default CPU generator.
int ctorch_generator_get_state(ctorch_generator generator, ctorch_tensor *out);
int ctorch_generator_set_state(ctorch_generator generator, ctorch_tensor state);
int ctorch_generator_set_seed(ctorch_generator generator, uint64_t seed);

// MARK: Distributed (c10d, Gloo)
/// Joins a process group of `world_size` ranks that meet at a TCPStore on host:port (rank 0 serves it).
int ctorch_process_group_new(const char *host, int port, int rank, int world_size, double timeout_seconds,
                             ctorch_process_group *out);
void ctorch_process_group_free(ctorch_process_group group);
/// Sums the tensors in place across ranks (all ranks pass tensors of the same shapes), and waits.
int ctorch_process_group_all_reduce_sum(ctorch_process_group group, const ctorch_tensor *tensors, int64_t count);
/// Overwrites the tensors with rank `root`'s, and waits.
int ctorch_process_group_broadcast(ctorch_process_group group, const ctorch_tensor *tensors, int64_t count,
                                   int root);
int ctorch_process_group_barrier(ctorch_process_group group);

#ifdef __cplusplus
}
#endif

#include "ctorch_ops.h"

#endif
