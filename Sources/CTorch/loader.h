// The runtime library behind CTorch's functions (see loader.c). Internal to CTorch.
#ifndef CTORCH_LOADER_H
#define CTORCH_LOADER_H

#include "ctorch.h"

/// The address of `name` in libPhimTorchRuntime.so, loading the library on the first call. When the library or the
/// symbol cannot be found, prints one line saying so and how to build it, and exits with status 70.
void *ctorch_runtime_symbol(const char *name);

#endif
