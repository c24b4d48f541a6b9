#ifndef CYUV_SHIM_H
#define CYUV_SHIM_H

// libyuv (Google's SIMD colour conversion and scaling) for Swift. Phim uses it on the hot path between the
// compositor and the encoder: converting each 32-bit frame to I420 with AVX2 costs a fraction of libswscale's
// generic path. Debian's libyuv-dev ships no pkg-config file, hence the plain `link`.

#include <libyuv/convert.h>
#include <libyuv/convert_from_argb.h>
#include <libyuv/planar_functions.h>
#include <libyuv/scale_argb.h>

#endif
