import PhimSpeech
// TEMPORARY until PhimSpeech's SubtitleCue.words lands (branch speech).
struct ShimWord { var text: String; var start: Double }
extension SubtitleCue { var words: [ShimWord] { [] } }
