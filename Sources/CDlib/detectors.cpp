// dlib's HOG face detector and shape predictor behind CDlib's C functions.
#include "shim.hpp"
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <fstream>

struct cdlib_hog_detector {
    dlib::frontal_face_detector detector;
};

struct cdlib_shape_predictor {
    dlib::shape_predictor predictor;
};

extern "C" cdlib_hog_detector *cdlib_hog_detector_create(char *error, size_t error_capacity) {
    cdlib_hog_detector *made = nullptr;
    cdlib::guarded(error, error_capacity, [&] { made = new cdlib_hog_detector{dlib::get_frontal_face_detector()}; });
    return made;
}

extern "C" void cdlib_hog_detector_free(cdlib_hog_detector *detector) { delete detector; }

extern "C" int cdlib_hog_detect(cdlib_hog_detector *detector, cdlib_image image, double scale, double adjust_threshold,
                                cdlib_detection *detections, int32_t capacity, int32_t *count, char *error,
                                size_t error_capacity) {
    return cdlib::guarded(error, error_capacity, [&] {
        dlib::array2d<unsigned char> grey;
        cdlib::grey(image, grey);
        cdlib::rescale(grey, scale);
        std::vector<dlib::rect_detection> found;
        detector->detector(grey, found, adjust_threshold);
        std::vector<cdlib_detection> out;
        for (const auto &d : found) {
            out.push_back({(int32_t)d.rect.left(), (int32_t)d.rect.top(), (int32_t)d.rect.right(),
                           (int32_t)d.rect.bottom(), d.detection_confidence, (int32_t)d.weight_index});
        }
        cdlib::deliver(out, scale, detections, capacity, count);
    });
}

extern "C" cdlib_shape_predictor *cdlib_shape_predictor_load(const char *path, int32_t *parts, char *error,
                                                             size_t error_capacity) {
    cdlib_shape_predictor *made = nullptr;
    cdlib::guarded(error, error_capacity, [&] {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error("cannot be opened");
        auto predictor = std::make_unique<cdlib_shape_predictor>();
        dlib::deserialize(predictor->predictor, in);
        if (predictor->predictor.num_parts() == 0) throw std::runtime_error("holds a shape predictor of no points");
        *parts = (int32_t)predictor->predictor.num_parts();
        made = predictor.release();
    });
    return made;
}

extern "C" void cdlib_shape_predictor_free(cdlib_shape_predictor *predictor) { delete predictor; }

extern "C" int cdlib_shape_predict(cdlib_shape_predictor *predictor, cdlib_image image, const int32_t box[4],
                                   double *points, char *error, size_t error_capacity) {
    return cdlib::guarded(error, error_capacity, [&] {
        dlib::array2d<unsigned char> grey;
        cdlib::grey(image, grey);
        const dlib::rectangle rect(box[0], box[1], box[2], box[3]);
        if (rect.is_empty()) throw std::invalid_argument("the face's box is empty");
        const dlib::full_object_detection shape = predictor->predictor(grey, rect);
        for (unsigned long i = 0; i < shape.num_parts(); ++i) {
            points[2 * i] = shape.part(i).x();
            points[2 * i + 1] = shape.part(i).y();
        }
    });
}
