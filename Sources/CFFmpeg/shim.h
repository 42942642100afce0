// The FFmpeg 5.1 headers ImagoMedia uses, plus small inline helpers for what Swift cannot import:
// function-like and FFERRTAG macros (AVERROR(e), AVERROR_EOF, ...) and AVFrame's data/linesize arrays,
// which import as 8-element tuples.
#ifndef IMAGO_CFFMPEG_SHIM_H
#define IMAGO_CFFMPEG_SHIM_H

#include <errno.h>
#include <stdint.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/md5.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/channel_layout.h>

static inline int cff_averror(int posix_errno) { return AVERROR(posix_errno); }
static inline int cff_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int cff_averror_eof(void) { return AVERROR_EOF; }
static inline int cff_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int cff_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int cff_averror_encoder_not_found(void) { return AVERROR_ENCODER_NOT_FOUND; }
static inline int cff_averror_muxer_not_found(void) { return AVERROR_MUXER_NOT_FOUND; }
static inline int cff_averror_exit(void) { return AVERROR_EXIT; }
static inline int cff_averror_http_unauthorized(void) { return AVERROR_HTTP_UNAUTHORIZED; }
static inline int cff_averror_http_forbidden(void) { return AVERROR_HTTP_FORBIDDEN; }
static inline int cff_averror_http_not_found(void) { return AVERROR_HTTP_NOT_FOUND; }
static inline int cff_averror_protocol_not_found(void) { return AVERROR_PROTOCOL_NOT_FOUND; }
static inline int cff_averror_demuxer_not_found(void) { return AVERROR_DEMUXER_NOT_FOUND; }
static inline int cff_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int64_t cff_nopts_value(void) { return AV_NOPTS_VALUE; }

static inline int cff_strerror(int errnum, char *buf, size_t size) { return av_strerror(errnum, buf, size); }

/// Packs the frame's planes without padding (alignment 1) into dst, as rawvideo / framemd5 do.
/// Returns the number of bytes written or a negative AVERROR.
static inline int cff_frame_copy_to_buffer(const AVFrame *frame, uint8_t *dst, int dst_size) {
    return av_image_copy_to_buffer(dst, dst_size, (const uint8_t * const *)frame->data, frame->linesize,
                                   (enum AVPixelFormat)frame->format, frame->width, frame->height, 1);
}

/// sws_scale from a whole source frame into a destination frame whose buffers are already allocated.
/// Returns the height of the output slice or a negative AVERROR.
static inline int cff_scale_frame(struct SwsContext *context, const AVFrame *src, AVFrame *dst) {
    return sws_scale(context, (const uint8_t * const *)src->data, src->linesize, 0, src->height,
                     dst->data, dst->linesize);
}

#endif
