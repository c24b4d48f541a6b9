// dlib's two face networks behind CDlib's C functions: the MMOD CNN detector and the ResNet face descriptor. The layer
// types must match the ones the model files were trained with (dlib's dnn_mmod_face_detection_ex.cpp and
// dnn_face_recognition_ex.cpp); a file of another network fails to deserialize with dlib's message.
#include "shim.hpp"
#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <fstream>

namespace mmod {
using namespace dlib;
template <long filters, typename SUBNET> using con5d = con<filters, 5, 5, 2, 2, SUBNET>;
template <long filters, typename SUBNET> using con5 = con<filters, 5, 5, 1, 1, SUBNET>;
template <typename SUBNET>
using downsampler = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45, SUBNET>>>;
using net = loss_mmod<con<1, 9, 9, 1, 1, rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;
} // namespace mmod

namespace descriptor {
using namespace dlib;
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int stride, typename SUBNET>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;
template <int N, typename SUBNET> using ares = relu<residual<block, N, affine, SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block, N, affine, SUBNET>>;
template <typename SUBNET> using level0 = ares_down<256, SUBNET>;
template <typename SUBNET> using level1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET> using level2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET> using level3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET> using level4 = ares<32, ares<32, ares<32, SUBNET>>>;
using net = loss_metric<fc_no_bias<128, avg_pool_everything<level0<level1<level2<level3<level4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;
} // namespace descriptor

struct cdlib_mmod_detector {
    mmod::net net;
};

struct cdlib_face_encoder {
    descriptor::net net;
};

template <typename Net> static Net *load(const char *path, Net *fresh) {
    std::unique_ptr<Net> made(fresh);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot be opened");
    dlib::deserialize(made->net, in);
    return made.release();
}

extern "C" cdlib_mmod_detector *cdlib_mmod_detector_load(const char *path, char *error, size_t error_capacity) {
    cdlib_mmod_detector *made = nullptr;
    cdlib::guarded(error, error_capacity, [&] { made = load(path, new cdlib_mmod_detector); });
    return made;
}

extern "C" void cdlib_mmod_detector_free(cdlib_mmod_detector *detector) { delete detector; }

extern "C" int cdlib_mmod_detect(cdlib_mmod_detector *detector, cdlib_image image, double scale, double adjust_threshold,
                                 cdlib_detection *detections, int32_t capacity, int32_t *count, char *error,
                                 size_t error_capacity) {
    return cdlib::guarded(error, error_capacity, [&] {
        dlib::matrix<dlib::rgb_pixel> picture;
        cdlib::colour(image, picture);
        cdlib::rescale(picture, scale);
        const std::vector<dlib::mmod_rect> found = detector->net.process(picture, adjust_threshold);
        std::vector<cdlib_detection> out;
        for (const auto &d : found) {
            out.push_back({(int32_t)d.rect.left(), (int32_t)d.rect.top(), (int32_t)d.rect.right(),
                           (int32_t)d.rect.bottom(), d.detection_confidence, 0});
        }
        cdlib::deliver(out, scale, detections, capacity, count);
    });
}

extern "C" cdlib_face_encoder *cdlib_face_encoder_load(const char *path, char *error, size_t error_capacity) {
    cdlib_face_encoder *made = nullptr;
    cdlib::guarded(error, error_capacity, [&] { made = load(path, new cdlib_face_encoder); });
    return made;
}

extern "C" void cdlib_face_encoder_free(cdlib_face_encoder *encoder) { delete encoder; }

extern "C" int cdlib_face_encode(cdlib_face_encoder *encoder, cdlib_image image, const double *points, int32_t parts,
                                 int32_t jitters, float descriptor[128], char *error, size_t error_capacity) {
    return cdlib::guarded(error, error_capacity, [&] {
        if (parts != 68 && parts != 5) throw std::invalid_argument("the face descriptor needs 68 or 5 landmarks");
        if (jitters < 0 || jitters > 100) throw std::invalid_argument("jitters must be 0 to 100");
        dlib::matrix<dlib::rgb_pixel> picture;
        cdlib::colour(image, picture);
        std::vector<dlib::point> landmarks;
        long left = LONG_MAX, top = LONG_MAX, right = LONG_MIN, bottom = LONG_MIN;
        for (int i = 0; i < parts; ++i) {
            const dlib::point p(std::lround(points[2 * i]), std::lround(points[2 * i + 1]));
            landmarks.push_back(p);
            left = std::min(left, p.x()); top = std::min(top, p.y());
            right = std::max(right, p.x()); bottom = std::max(bottom, p.y());
        }
        const dlib::full_object_detection shape(dlib::rectangle(left, top, right, bottom), landmarks);
        dlib::matrix<dlib::rgb_pixel> chip;
        dlib::extract_image_chip(picture, dlib::get_face_chip_details(shape, 150, 0.25), chip);
        dlib::matrix<float, 0, 1> result;
        if (jitters == 0) {
            result = encoder->net(chip);
        } else {
            thread_local dlib::rand random;
            std::vector<dlib::matrix<dlib::rgb_pixel>> crops;
            for (int i = 0; i < jitters; ++i) crops.push_back(dlib::jitter_image(chip, random));
            result = dlib::mean(dlib::mat(encoder->net(crops)));
        }
        for (int i = 0; i < 128; ++i) descriptor[i] = result(i);
    });
}
