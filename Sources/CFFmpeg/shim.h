#ifndef CFFMPEG_SHIM_H
#define CFFMPEG_SHIM_H

// FFmpeg's libraries as one Clang module for Swift. FFmpeg exposes some of its API as macros, which Swift
// cannot import; each `CFFmpeg_…` function below re-exports one such macro as a function.

#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/samplefmt.h>
#include <libavutil/tx.h>
#include <libavutil/dict.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>

/// `AVERROR(e)`: FFmpeg's negative error code for the POSIX errno `e`.
static inline int CFFmpeg_AVERROR(int e) { return AVERROR(e); }
/// `AVERROR_EOF`: the end of a stream, returned by the receive functions.
static inline int CFFmpeg_AVERROR_EOF(void) { return AVERROR_EOF; }
/// `AVERROR_INVALIDDATA`: corrupt input.
static inline int CFFmpeg_AVERROR_INVALIDDATA(void) { return AVERROR_INVALIDDATA; }
/// `AVERROR(EAGAIN)`: the codec wants more input or output first.
static inline int CFFmpeg_AVERROR_EAGAIN(void) { return AVERROR(EAGAIN); }
/// `AV_NOPTS_VALUE`: "no timestamp", a macro with a cast Swift cannot import.
static inline int64_t CFFmpeg_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }
/// `AV_TIME_BASE_Q`: a compound literal Swift cannot import.
static inline AVRational CFFmpeg_AV_TIME_BASE_Q(void) { return AV_TIME_BASE_Q; }
/// `AV_CH_LAYOUT_STEREO` as a channel-layout struct (FFmpeg 5.1's `AV_CHANNEL_LAYOUT_STEREO` is a compound literal).
static inline AVChannelLayout CFFmpeg_stereo_layout(void) { AVChannelLayout l = AV_CHANNEL_LAYOUT_STEREO; return l; }
/// `AV_CHANNEL_LAYOUT_MONO`, likewise.
static inline AVChannelLayout CFFmpeg_mono_layout(void) { AVChannelLayout l = AV_CHANNEL_LAYOUT_MONO; return l; }

#endif
