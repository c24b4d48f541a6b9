// espeak-ng's C API (Debian: libespeak-ng-dev). speak_lib.h holds the synthesis calls and the event
// structure that carries word boundaries; espeak_ng.h holds initialisation and status codes.
#ifndef PHIM_CESPEAK_SHIM_H
#define PHIM_CESPEAK_SHIM_H
#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#endif
