// dlib's HOG frontal face detector behind the C API in include/dlib_faces.h.
//
// Every extern "C" function is noexcept and catches everything inside it: a C++ exception must never
// unwind into Swift. (noexcept turns a missed one into std::terminate instead of undefined behaviour.)

#include "dlib_faces.h"

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms/interpolation.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

struct dlf_detector {
    dlib::frontal_face_detector detector;
    // Kept between calls so frames of the same size reuse their memory.
    dlib::array2d<unsigned char> image;
    std::vector<dlib::rect_detection> detections;
    std::string last_error;
};

namespace {

void write_message(char *buffer, size_t capacity, const char *message) noexcept {
    if (buffer != nullptr && capacity > 0) {
        std::snprintf(buffer, capacity, "%s", message);
    }
}

void remember_error(dlf_detector *detector, const char *message) noexcept {
    try {
        detector->last_error = message;
    } catch (...) {
        detector->last_error.clear();
    }
}

// Checks everything that can be checked without touching the pixels; 0 when the call may proceed.
int32_t validate(const dlf_detector *detector, const uint8_t *gray, int32_t width, int32_t height, int32_t stride,
                 int32_t upsample, const dlf_box *boxes, int32_t capacity) noexcept {
    if (detector == nullptr || gray == nullptr || capacity < 0 || (capacity > 0 && boxes == nullptr)) {
        return DLF_ERROR_INVALID_ARGUMENT;
    }
    if (width < 1 || height < 1 || width > DLF_MAX_SIDE || height > DLF_MAX_SIDE) {
        return DLF_ERROR_IMAGE_SIZE;
    }
    if (stride < width) {
        return DLF_ERROR_STRIDE;
    }
    if (upsample < 0 || upsample > DLF_MAX_UPSAMPLE) {
        return DLF_ERROR_UPSAMPLE;
    }
    const int64_t upsampled = (int64_t(width) << upsample) * (int64_t(height) << upsample);
    if (upsampled > DLF_MAX_PIXELS) {
        return DLF_ERROR_TOO_LARGE;
    }
    return 0;
}

int32_t run_detector(dlf_detector *d, const uint8_t *gray, int32_t width, int32_t height, int32_t stride,
                     int32_t upsample, dlf_box *boxes, int32_t capacity) {
    d->image.set_size(height, width);
    auto *destination = static_cast<unsigned char *>(dlib::image_data(d->image));
    const long destination_stride = dlib::width_step(d->image);
    for (int32_t row = 0; row < height; ++row) {
        std::memcpy(destination + row * destination_stride, gray + int64_t(row) * stride, size_t(width));
    }
    for (int32_t step = 0; step < upsample; ++step) {
        dlib::pyramid_up(d->image);
    }

    d->detections.clear();
    d->detector(d->image, d->detections, 0.0);
    // Best first; ties broken by position so the order never depends on the sort's internals.
    std::sort(d->detections.begin(), d->detections.end(),
              [](const dlib::rect_detection &a, const dlib::rect_detection &b) {
                  if (a.detection_confidence != b.detection_confidence) {
                      return a.detection_confidence > b.detection_confidence;
                  }
                  if (a.rect.top() != b.rect.top()) {
                      return a.rect.top() < b.rect.top();
                  }
                  return a.rect.left() < b.rect.left();
              });

    // pyramid_up(image) uses pyramid_down<2>; its rect_down maps boxes back to the caller's image.
    const dlib::pyramid_down<2> pyramid;
    const size_t written = std::min(d->detections.size(), size_t(capacity));
    for (size_t i = 0; i < written; ++i) {
        const dlib::rect_detection &found = d->detections[i];
        const dlib::rectangle rect =
            upsample > 0 ? dlib::rectangle(pyramid.rect_down(dlib::drectangle(found.rect), unsigned(upsample)))
                         : found.rect;
        boxes[i] = dlf_box{int32_t(rect.left()), int32_t(rect.top()), int32_t(rect.right()), int32_t(rect.bottom()),
                           found.detection_confidence};
    }
    return int32_t(d->detections.size());
}

} // namespace

extern "C" dlf_detector *dlf_create(char *error, size_t error_capacity) noexcept {
    try {
        auto detector = std::make_unique<dlf_detector>();
        detector->detector = dlib::get_frontal_face_detector();
        write_message(error, error_capacity, "");
        return detector.release();
    } catch (const std::bad_alloc &) {
        write_message(error, error_capacity, "out of memory while loading dlib's frontal face model");
    } catch (const std::exception &exception) {
        write_message(error, error_capacity, exception.what());
    } catch (...) {
        write_message(error, error_capacity, "unknown C++ exception while loading dlib's frontal face model");
    }
    return nullptr;
}

extern "C" void dlf_destroy(dlf_detector *detector) noexcept {
    try {
        delete detector;
    } catch (...) {
        // Destructors of dlib/std types do not throw; nothing can be done here if one did.
    }
}

extern "C" int32_t dlf_detect(dlf_detector *detector, const uint8_t *gray, int32_t width, int32_t height,
                              int32_t stride, int32_t upsample, dlf_box *boxes, int32_t capacity) noexcept {
    const int32_t invalid = validate(detector, gray, width, height, stride, upsample, boxes, capacity);
    if (invalid != 0) {
        return invalid;
    }
    detector->last_error.clear();
    try {
        return run_detector(detector, gray, width, height, stride, upsample, boxes, capacity);
    } catch (const std::bad_alloc &) {
        return DLF_ERROR_OUT_OF_MEMORY;
    } catch (const std::exception &exception) {
        remember_error(detector, exception.what());
    } catch (...) {
        remember_error(detector, "unknown C++ exception");
    }
    return DLF_ERROR_DLIB;
}

extern "C" const char *dlf_last_error(const dlf_detector *detector) noexcept {
    return detector == nullptr ? "" : detector->last_error.c_str();
}
