// Shared by CDlib's C++ files: pictures into dlib's types, errors into C's.
#ifndef CDLIB_SHIM_HPP
#define CDLIB_SHIM_HPP

#include "cdlib.h"
#include <dlib/array2d.h>
#include <dlib/image_transforms.h>
#include <dlib/matrix.h>
#include <dlib/pixel.h>
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <cstring>
#include <exception>
#include <vector>

namespace cdlib {

inline void report(char *error, size_t capacity, const char *message) {
    if (error && capacity > 0) std::snprintf(error, capacity, "%s", message);
}

/// Runs `body`, turning any exception into status 1 and its message.
template <typename Body> int guarded(char *error, size_t capacity, Body body) {
    try {
        body();
        return 0;
    } catch (const std::exception &e) {
        report(error, capacity, e.what());
    } catch (...) {
        report(error, capacity, "dlib failed without a message");
    }
    return 1;
}

inline bool valid(const cdlib_image &image) {
    return image.pixels && image.width > 0 && image.height > 0 && image.bytes_per_row >= image.width * 4;
}

inline void check(const cdlib_image &image) {
    if (!valid(image)) throw std::invalid_argument("the picture has no pixels or an impossible size");
}

/// Calls `set(y, x, red, green, blue)` for every pixel of `image`, row by row.
template <typename Set> inline void each_pixel(const cdlib_image &image, Set set) {
    check(image);
    const int r = image.byte_order == 0 ? 2 : 0, b = image.byte_order == 0 ? 0 : 2;
    for (int y = 0; y < image.height; ++y) {
        const uint8_t *row = image.pixels + (size_t)y * image.bytes_per_row;
        for (int x = 0; x < image.width; ++x) {
            const uint8_t *p = row + x * 4;
            set(y, x, p[r], p[1], p[b]);
        }
    }
}

/// The picture in grey (BT.601 luma), for the HOG detector and the shape predictor.
inline void grey(const cdlib_image &image, dlib::array2d<unsigned char> &out) {
    check(image);
    out.set_size(image.height, image.width);
    each_pixel(image, [&](int y, int x, uint8_t r, uint8_t g, uint8_t b) {
        out[y][x] = (unsigned char)((77 * r + 150 * g + 29 * b + 128) >> 8);
    });
}

/// The picture in colour, for the CNN detector and the face descriptor.
inline void colour(const cdlib_image &image, dlib::matrix<dlib::rgb_pixel> &out) {
    check(image);
    out.set_size(image.height, image.width);
    each_pixel(image, [&](int y, int x, uint8_t r, uint8_t g, uint8_t b) { out(y, x) = dlib::rgb_pixel(r, g, b); });
}

/// Scales `image` by `scale` in place (bilinear); 1 leaves it.
template <typename Image> void rescale(Image &image, double scale) {
    if (!(scale > 0) || scale > 8) throw std::invalid_argument("the detection scale must be above 0 and at most 8");
    if (scale == 1) return;
    const long rows = std::max(1L, (long)std::lround(dlib::num_rows(image) * scale));
    const long columns = std::max(1L, (long)std::lround(dlib::num_columns(image) * scale));
    Image scaled;
    dlib::set_image_size(scaled, rows, columns);
    dlib::resize_image(image, scaled);
    dlib::swap(image, scaled);
}

/// Writes detections (found in a picture scaled by `scale`) back in the original's pixels, best first.
inline void deliver(std::vector<cdlib_detection> found, double scale, cdlib_detection *out, int32_t capacity,
                    int32_t *count) {
    std::sort(found.begin(), found.end(), [](const cdlib_detection &a, const cdlib_detection &b) { return a.score > b.score; });
    for (auto &d : found) {
        d.left = (int32_t)std::floor(d.left / scale);
        d.top = (int32_t)std::floor(d.top / scale);
        d.right = (int32_t)std::ceil((d.right + 1) / scale) - 1;
        d.bottom = (int32_t)std::ceil((d.bottom + 1) / scale) - 1;
    }
    *count = (int32_t)found.size();
    for (int32_t i = 0; i < capacity && i < (int32_t)found.size(); ++i) out[i] = found[i];
}

} // namespace cdlib

#endif
