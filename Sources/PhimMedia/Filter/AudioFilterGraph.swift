internal import CFFmpeg
import PhimCore

/// A libavfilter graph over interleaved float audio: samples in, filtered samples out, chunk by chunk.
/// Phim uses it where FFmpeg's filters are the well-kept part, such as `atempo` (changing speed without changing
/// pitch) for video clips retimed to their clip.
///
/// Not `Sendable`: owns one `AVFilterGraph`.
public final class AudioFilterGraph {
    public let sampleRate: Int
    public let channelCount: Int
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private var source: UnsafeMutablePointer<AVFilterContext>?
    private var sink: UnsafeMutablePointer<AVFilterContext>?
    private let inputFrame: Frame
    private let outputFrame: Frame
    private var samplesIn: Int64 = 0
    private let description: String

    /// Builds a graph from a filter description such as `"atempo=1.25"`.
    /// - Throws: `PhimError` when FFmpeg rejects the description.
    public init(_ filters: String, sampleRate: Int = AudioBuffer.standardSampleRate, channelCount: Int = 2) throws(PhimError) {
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.description = filters
        self.inputFrame = try Frame()
        self.outputFrame = try Frame()
        _ = FFmpegLogging.configured
        graph = avfilter_graph_alloc()
        guard graph != nil else { throw PhimError(.operationFailed, "out of memory allocating an audio filter", subject: .value(filters)) }
        let layout = channelCount == 1 ? "mono" : "stereo"
        let arguments = "sample_rate=\(sampleRate):sample_fmt=flt:channel_layout=\(layout):time_base=1/\(sampleRate)"
        try ffmpegCheck(avfilter_graph_create_filter(&source, avfilter_get_by_name("abuffer"), "in", arguments, nil, graph),
                        "creating the audio filter input", subject: .value(filters))
        try ffmpegCheck(avfilter_graph_create_filter(&sink, avfilter_get_by_name("abuffersink"), "out", nil, nil, graph),
                        "creating the audio filter output", subject: .value(filters))
        var outputs = avfilter_inout_alloc()
        var inputs = avfilter_inout_alloc()
        defer {
            avfilter_inout_free(&outputs)
            avfilter_inout_free(&inputs)
        }
        guard outputs != nil, inputs != nil else {
            throw PhimError(.operationFailed, "out of memory allocating an audio filter", subject: .value(filters))
        }
        outputs!.pointee.name = av_strdup("in")
        outputs!.pointee.filter_ctx = source
        outputs!.pointee.pad_idx = 0
        outputs!.pointee.next = nil
        inputs!.pointee.name = av_strdup("out")
        inputs!.pointee.filter_ctx = sink
        inputs!.pointee.pad_idx = 0
        inputs!.pointee.next = nil
        let chain = "\(filters),aformat=sample_fmts=flt:sample_rates=\(sampleRate):channel_layouts=\(layout)"
        try ffmpegCheck(avfilter_graph_parse_ptr(graph, chain, &inputs, &outputs, nil),
                        "parsing the audio filter", subject: .value(filters), code: .invalidInput)
        try ffmpegCheck(avfilter_graph_config(graph, nil), "configuring the audio filter", subject: .value(filters))
    }

    deinit { avfilter_graph_free(&graph) }

    /// A graph that plays audio `tempo` times faster (0.5× … 100× per stage; stages are chained beyond that)
    /// without changing its pitch.
    public static func tempo(_ tempo: Double, sampleRate: Int = AudioBuffer.standardSampleRate,
                             channelCount: Int = 2) throws(PhimError) -> AudioFilterGraph {
        guard tempo.isFinite, tempo > 0.01, tempo < 100 else {
            throw PhimError(.invalidInput, "speed \(tempo) is out of range (0.01…100)", subject: .value("atempo"))
        }
        var stages: [Double] = []
        var remaining = tempo
        while remaining < 0.5 {
            stages.append(0.5)
            remaining /= 0.5
        }
        stages.append(remaining)
        return try AudioFilterGraph(stages.map { "atempo=\($0)" }.joined(separator: ","), sampleRate: sampleRate,
                                    channelCount: channelCount)
    }

    /// Filters interleaved samples; returns what the graph has ready (it may hold some back).
    public func process(_ samples: [Float]) throws(PhimError) -> [Float] {
        guard !samples.isEmpty else { return [] }
        let frames = samples.count / channelCount
        let f = inputFrame.pointer
        av_frame_unref(f)
        f.pointee.format = AV_SAMPLE_FMT_FLT.rawValue
        f.pointee.sample_rate = Int32(sampleRate)
        f.pointee.nb_samples = Int32(frames)
        f.pointee.ch_layout = channelCount == 1 ? CFFmpeg_mono_layout() : CFFmpeg_stereo_layout()
        f.pointee.pts = samplesIn
        try ffmpegCheck(av_frame_get_buffer(f, 0), "allocating an audio frame", subject: .value(description))
        samples.withUnsafeBytes { raw in
            f.pointee.data.0!.update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: raw.count)
        }
        samplesIn += Int64(frames)
        try ffmpegCheck(av_buffersrc_add_frame_flags(source, f, 0), "filtering audio", subject: .value(description))
        return try drain()
    }

    /// Ends the input and returns what the graph still held.
    public func flush() throws(PhimError) -> [Float] {
        try ffmpegCheck(av_buffersrc_add_frame_flags(source, nil, 0), "filtering audio", subject: .value(description))
        return try drain()
    }

    private func drain() throws(PhimError) -> [Float] {
        var output: [Float] = []
        while true {
            let status = av_buffersink_get_frame(sink, outputFrame.pointer)
            if status == CFFmpeg_AVERROR_EAGAIN() || status == CFFmpeg_AVERROR_EOF() { return output }
            try ffmpegCheck(status, "filtering audio", subject: .value(description))
            let count = Int(outputFrame.pointer.pointee.nb_samples) * channelCount
            outputFrame.pointer.pointee.data.0!.withMemoryRebound(to: Float.self, capacity: count) { pointer in
                output.append(contentsOf: UnsafeBufferPointer(start: pointer, count: count))
            }
            av_frame_unref(outputFrame.pointer)
        }
    }
}
