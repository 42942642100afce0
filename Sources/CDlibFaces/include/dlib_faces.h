/*
 * dlib's HOG frontal face detector behind a plain C API.
 *
 * No C++ exception crosses this boundary: every entry point catches them and returns an error code
 * (or NULL plus a message from dlf_create).
 *
 * A detector is not thread-safe (dlib's scanner keeps per-call state): use one per thread. Creating one
 * deserialises dlib's built-in model and takes about half a second, so create it once and reuse it.
 */
#ifndef IMAGO_DLIB_FACES_H
#define IMAGO_DLIB_FACES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define DLF_NOEXCEPT noexcept
extern "C" {
#else
#define DLF_NOEXCEPT
#endif

/* An opaque detector (owns a dlib::frontal_face_detector and its scratch images). */
typedef struct dlf_detector dlf_detector;

/* A face, in the input image's pixel coordinates. Edges are inclusive, as dlib reports them: a box with
   left 10 and right 19 is 10 pixels wide. A box may extend past the image edges for faces cut off by them.
   score is the detector's confidence (>= 0; higher is more certain). */
typedef struct dlf_box {
    int32_t left;
    int32_t top;
    int32_t right;
    int32_t bottom;
    double score;
} dlf_box;

/* The error codes dlf_detect returns (all negative). */
enum {
    DLF_ERROR_INVALID_ARGUMENT = -1, /* detector or gray was NULL, capacity < 0, or boxes NULL with capacity > 0 */
    DLF_ERROR_IMAGE_SIZE = -2,       /* width or height < 1 or > DLF_MAX_SIDE */
    DLF_ERROR_STRIDE = -3,           /* stride < width */
    DLF_ERROR_UPSAMPLE = -4,         /* upsample outside 0...DLF_MAX_UPSAMPLE */
    DLF_ERROR_TOO_LARGE = -5,        /* the upsampled image would exceed DLF_MAX_PIXELS */
    DLF_ERROR_OUT_OF_MEMORY = -6,    /* std::bad_alloc */
    DLF_ERROR_DLIB = -7,             /* dlib threw; dlf_last_error() has its message */
};

/* Limits checked before any work is done. */
#define DLF_MAX_SIDE 16384
#define DLF_MAX_UPSAMPLE 3
#define DLF_MAX_PIXELS 33554432 /* after upsampling: 2^25, about an 8K UHD frame */

/* Loads dlib's frontal face model. Returns NULL on failure and, when error is not NULL, writes a
   NUL-terminated message (truncated to error_capacity bytes). */
dlf_detector *dlf_create(char *error, size_t error_capacity) DLF_NOEXCEPT;

/* Frees a detector; NULL is ignored. */
void dlf_destroy(dlf_detector *detector) DLF_NOEXCEPT;

/* Finds faces in an 8-bit grayscale image: height rows of width pixels, each row starting stride bytes
   after the previous one (the buffer must hold (height - 1) * stride + width bytes; that cannot be checked
   here). upsample doubles the image that many times first, to find faces smaller than the detector's
   80x80-pixel window allows (about 60 px at upsample 0, 30 px at 1; each step quadruples the cost).

   Returns the number of faces found (>= 0) and writes the first min(found, capacity) of them to boxes,
   best score first; if the result exceeds capacity, the caller may call again with a larger array.
   Returns a negative DLF_ERROR_* code on failure. */
int32_t dlf_detect(dlf_detector *detector, const uint8_t *gray, int32_t width, int32_t height, int32_t stride,
                   int32_t upsample, dlf_box *boxes, int32_t capacity) DLF_NOEXCEPT;

/* The message of the last DLF_ERROR_DLIB from this detector ("" if none). Valid until the next dlf_detect. */
const char *dlf_last_error(const dlf_detector *detector) DLF_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif
