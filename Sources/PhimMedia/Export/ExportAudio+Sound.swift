import Foundation
import PhimCore

extension ExportAudio {
    /// A video's own sound for a re-encode of its picture: its best audio stream copied packet for packet when MP4
    /// players play its codec, decoded and re-encoded as AAC when they do not (FFmpeg's muxer would also take Vorbis,
    /// which most players do not), and none when it has no sound.
    public static func sound(of url: URL, decoder: VideoDecoder) throws(PhimError) -> ExportAudio {
        guard let sound = decoder.mediaInfo.audio.first else { return .none }
        let playable = ["aac", "mp3", "alac", "ac3", "eac3", "opus", "flac"].contains(sound.codec)
        return playable && (try? AudioPacketReader(url: url)) != nil ? .copy(from: url)
            : .samples(try DecodedSound(url: url), AudioEncoderSettings())
    }
}

/// A file's sound decoded in order, for re-encoding as AAC (when MP4 cannot hold its codec).
private final class DecodedSound: AudioSampleSource {
    private let decoder: AudioDecoder
    private var pending: [Float] = []
    private var ended = false

    init(url: URL) throws(PhimError) { decoder = try AudioDecoder(url: url) }

    func read(frameCount: Int) throws(PhimError) -> [Float] {
        let wanted = frameCount * decoder.channelCount
        while pending.count < wanted, !ended {
            if let chunk = try decoder.nextChunk() { pending += chunk.buffer.samples } else { ended = true }
        }
        var out = Array(pending.prefix(wanted))
        pending.removeFirst(out.count)
        if out.count < wanted { out += repeatElement(0, count: wanted - out.count) }
        return out
    }
}
