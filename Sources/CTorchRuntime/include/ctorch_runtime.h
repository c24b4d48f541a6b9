// CTorchRuntime implements, in C++ over libtorch, every function Sources/CTorch/include/ctorch.h declares, and is
// built as libPhimTorchRuntime.so. Nothing includes this library's headers: programs call it through CTorch's stubs,
// which load it on their first call (Sources/CTorch/loader.c).
#ifndef CTORCH_RUNTIME_H
#define CTORCH_RUNTIME_H
#endif
