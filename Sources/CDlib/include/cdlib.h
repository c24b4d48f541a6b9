// CDlib: the C interface Swift calls for dlib's face models (PhimFace is its only user). The C++ behind it is in this
// folder; every function catches dlib's exceptions and reports them as a message in `error` (a buffer of
// `error_capacity` bytes), returning a non-zero status or NULL.
#ifndef CDLIB_H
#define CDLIB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A picture of 8-bit pixels, four bytes each, rows `bytes_per_row` apart.
typedef struct {
    const uint8_t *pixels;
    int32_t width;
    int32_t height;
    int32_t bytes_per_row;
    /// 0: bytes B, G, R, A (premultiplied alpha, read as opaque); 1: bytes R, G, B, A.
    int32_t byte_order;
} cdlib_image;

/// A face found by a detector, in the picture's pixels (right and bottom inclusive, as dlib's rectangles are).
typedef struct {
    int32_t left, top, right, bottom;
    /// The detector's confidence (HOG: the SVM score, above 0 when found at the default threshold; MMOD: likewise).
    double score;
    /// HOG: which of the detector's five filters fired (0 front, 1 turned left, 2 turned right, 3 and 4 front but
    /// rolled); MMOD: 0.
    int32_t pose;
} cdlib_detection;

typedef struct cdlib_hog_detector cdlib_hog_detector;
typedef struct cdlib_mmod_detector cdlib_mmod_detector;
typedef struct cdlib_shape_predictor cdlib_shape_predictor;
typedef struct cdlib_face_encoder cdlib_face_encoder;

/// dlib's HOG frontal face detector (built into dlib: no model file).
cdlib_hog_detector *cdlib_hog_detector_create(char *error, size_t error_capacity);
void cdlib_hog_detector_free(cdlib_hog_detector *detector);
/// Finds faces in `image` scaled by `scale` first (2 finds faces half as small; 0.5 runs four times as fast), with
/// dlib's threshold moved by `adjust_threshold`. Writes up to `capacity` detections, best first, and their number
/// (which may exceed `capacity`) to `count`.
int cdlib_hog_detect(cdlib_hog_detector *detector, cdlib_image image, double scale, double adjust_threshold,
                     cdlib_detection *detections, int32_t capacity, int32_t *count, char *error, size_t error_capacity);

/// dlib's MMOD CNN face detector from `path` (mmod_human_face_detector.dat).
cdlib_mmod_detector *cdlib_mmod_detector_load(const char *path, char *error, size_t error_capacity);
void cdlib_mmod_detector_free(cdlib_mmod_detector *detector);
int cdlib_mmod_detect(cdlib_mmod_detector *detector, cdlib_image image, double scale, double adjust_threshold,
                      cdlib_detection *detections, int32_t capacity, int32_t *count, char *error, size_t error_capacity);

/// A shape predictor from `path` (shape_predictor_68_face_landmarks.dat); `parts` receives its number of points.
cdlib_shape_predictor *cdlib_shape_predictor_load(const char *path, int32_t *parts, char *error, size_t error_capacity);
void cdlib_shape_predictor_free(cdlib_shape_predictor *predictor);
/// The landmarks of the face in `box` (left, top, right, bottom): `2 × parts` doubles, x then y, into `points`.
int cdlib_shape_predict(cdlib_shape_predictor *predictor, cdlib_image image, const int32_t box[4], double *points,
                        char *error, size_t error_capacity);

/// dlib's ResNet face descriptor network from `path` (dlib_face_recognition_resnet_model_v1.dat).
cdlib_face_encoder *cdlib_face_encoder_load(const char *path, char *error, size_t error_capacity);
void cdlib_face_encoder_free(cdlib_face_encoder *encoder);
/// The 128-D descriptor of the face whose 68 (or 5) landmarks are `points` (`2 × parts` doubles), into
/// `descriptor`. `jitters` > 0 averages that many randomly jittered crops as well (slower, a little more accurate).
int cdlib_face_encode(cdlib_face_encoder *encoder, cdlib_image image, const double *points, int32_t parts,
                      int32_t jitters, float descriptor[128], char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
