// Loads libPhimTorchRuntime.so (CTorchRuntime: the C++ shim over libtorch) on the first call of a CTorch function.
//
// libtorch takes about a second to load (its relocations and the static constructors that register its operators),
// and most of Phim's commands (render, make, verify, label) never touch a tensor. So programs link these stubs, not
// libtorch; the first tensor call loads the runtime library with dlopen and every stub keeps the address it found.
//
// Where: $PHIM_TORCH_RUNTIME when set (a path to the library), else next to the running executable (SwiftPM builds
// the library into the same directory as `phim` and the test runner), else the dynamic linker's search path.
#include "loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUNTIME_NAME "libPhimTorchRuntime.so"

static void *runtime;
static char failure[PATH_MAX + 512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *open_library(const char *path) {
    void *handle = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
    if (!handle) {
        const char *error = dlerror();
        snprintf(failure, sizeof failure, "%s", error ? error : path);
    }
    return handle;
}

static void load(void) {
    const char *override = getenv("PHIM_TORCH_RUNTIME");
    if (override && *override) {
        runtime = open_library(override);
        return;
    }
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
    if (length > 0) {
        path[length] = 0;
        char *slash = strrchr(path, '/');
        if (slash && (size_t)(slash - path) + sizeof("/" RUNTIME_NAME) <= sizeof path) {
            strcpy(slash + 1, RUNTIME_NAME);
            // A library that exists but does not load (a missing libtorch) is the error to report.
            if (access(path, F_OK) == 0) {
                runtime = open_library(path);
                return;
            }
        }
    }
    runtime = open_library(RUNTIME_NAME);
}

void *ctorch_runtime_symbol(const char *name) {
    pthread_once(&once, load);
    if (!runtime) {
        fprintf(stderr, "phim: cannot load the tensor runtime (%s); build it with `swift build --product "
                        "PhimTorchRuntime` (it goes next to phim) or set PHIM_TORCH_RUNTIME to its path\n", failure);
        exit(70);
    }
    void *symbol = dlsym(runtime, name);
    if (!symbol) {
        fprintf(stderr, "phim: the tensor runtime has no %s: it is older than this program; rebuild it with "
                        "`swift build --product PhimTorchRuntime`\n", name);
        exit(70);
    }
    return symbol;
}
