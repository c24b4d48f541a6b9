import Foundation

/// The lines a script opens and closes with, per style and language.
///
/// `{t}` is the topic as it reads inside a sentence (`solar power`), `{T}` the topic as written (`Solar Power`, for
/// names in ads). Several variants per style; ``pick(_:seed:)`` chooses one from a stable hash of the title, so the
/// same input always gets the same lines and different inputs get some variety.
enum ScriptPhrases {
    struct Lines {
        /// Opening lines that name the topic.
        var hooks: [String]
        /// Second sentences after a title that is itself a question (`Máy học là gì? Hãy cùng tìm hiểu nhé.`).
        var questionFollowUps: [String]
        var closings: [String]
        /// The closing scene's title.
        var closingTitle: String
        /// The one sentence of a topic-only script (`{T}` is the topic as written).
        var topicStatement: String
        var questionTopicStatement: String
        /// Joins two keywords into a scene title (`A and B`).
        var conjunction: String
    }

    static func phrases(_ style: ScriptStyle, _ language: ScriptLanguage) -> Lines {
        switch (style, language) {
        case (.explainer, .english):
            Lines(hooks: ["What do you really know about {t}?",
                        "Today, let's take a closer look at {t}.",
                        "In the next few minutes, you will learn the essentials of {t}."],
                questionFollowUps: ["Let's find out.", "The answer may surprise you.", "Let's explore it together."],
                closings: ["Thanks for watching.",
                           "That's {t} in a nutshell. Thanks for watching.",
                           "Now you know the essentials of {t}. See you in the next video."],
                closingTitle: "Thanks for watching", topicStatement: "Today's topic: {T}.",
                questionTopicStatement: "Today's question: {T}", conjunction: "and")
        case (.explainer, .vietnamese):
            Lines(hooks: ["Bạn có biết {t} thực sự là gì không?",
                        "Hôm nay, chúng ta sẽ cùng tìm hiểu về {t}.",
                        "Chỉ trong vài phút, bạn sẽ hiểu rõ hơn về {t}."],
                questionFollowUps: ["Hãy cùng tìm hiểu nhé.", "Câu trả lời có thể khiến bạn bất ngờ.",
                                    "Hãy cùng khám phá trong vài phút tới."],
                closings: ["Cảm ơn bạn đã theo dõi.",
                           "Hy vọng video này giúp bạn hiểu rõ hơn về {t}. Cảm ơn bạn đã theo dõi.",
                           "Đó là những điều cơ bản về {t}. Hẹn gặp lại bạn trong video tiếp theo."],
                closingTitle: "Cảm ơn bạn đã theo dõi", topicStatement: "Chủ đề hôm nay: {T}.",
                questionTopicStatement: "Câu hỏi hôm nay: {T}", conjunction: "và")
        case (.ad, .english):
            Lines(hooks: ["Looking for something better? Meet {T}.",
                        "Discover what {T} can do for you.",
                        "Say hello to {T}."],
                questionFollowUps: ["We have the answer.", "Here is the answer.", "Let us show you."],
                closings: ["Try it today!",
                           "Discover {T} today. Don't miss out!",
                           "Get started with {T} now."],
                closingTitle: "Try it today", topicStatement: "Today's spotlight: {T}.",
                questionTopicStatement: "Ask yourself: {T}", conjunction: "and")
        case (.ad, .vietnamese):
            Lines(hooks: ["Bạn đang tìm kiếm điều gì đó tốt hơn? Hãy làm quen với {T}.",
                        "Khám phá ngay những gì {T} có thể mang lại cho bạn.",
                        "Xin giới thiệu {T}."],
                questionFollowUps: ["Chúng tôi có câu trả lời.", "Câu trả lời nằm ngay ở đây.", "Hãy để chúng tôi giải đáp."],
                closings: ["Hãy trải nghiệm ngay hôm nay!",
                           "Khám phá {T} ngay hôm nay. Đừng bỏ lỡ!",
                           "Bắt đầu với {T} ngay bây giờ!"],
                closingTitle: "Trải nghiệm ngay hôm nay", topicStatement: "Tâm điểm hôm nay: {T}.",
                questionTopicStatement: "Hãy tự hỏi: {T}", conjunction: "và")
        case (.tutorial, .english):
            Lines(hooks: ["In this tutorial, you will learn about {t}, step by step.",
                        "Let's walk through {t} step by step.",
                        "Here is a quick guide to {t}."],
                questionFollowUps: ["This guide shows you how, step by step.", "Let's work through it step by step.",
                                    "Follow along, and you will see."],
                closings: ["And that's it. Now it's your turn to try!",
                           "You now know the basics of {t}. Happy practising!",
                           "Follow these steps, and you will master {t} in no time."],
                closingTitle: "Your turn", topicStatement: "In this guide: {T}.",
                questionTopicStatement: "In this guide: {T}", conjunction: "and")
        case (.tutorial, .vietnamese):
            Lines(hooks: ["Trong hướng dẫn này, bạn sẽ tìm hiểu về {t} từng bước một.",
                        "Hãy cùng đi qua {t} từng bước.",
                        "Đây là hướng dẫn nhanh về {t}."],
                questionFollowUps: ["Hướng dẫn này sẽ chỉ cho bạn từng bước.", "Hãy cùng làm từng bước nhé.",
                                    "Hãy làm theo, và bạn sẽ thấy."],
                closings: ["Vậy là xong. Bây giờ đến lượt bạn thử nhé!",
                           "Giờ bạn đã nắm được những điều cơ bản về {t}. Chúc bạn thực hành vui vẻ!",
                           "Hãy làm theo các bước này, và bạn sẽ sớm thành thạo {t}."],
                closingTitle: "Đến lượt bạn", topicStatement: "Trong hướng dẫn này: {T}.",
                questionTopicStatement: "Trong hướng dẫn này: {T}", conjunction: "và")
        case (.story, .english):
            Lines(hooks: ["Let me tell you a story about {t}.",
                        "This is the story of {t}.",
                        "Every story has a beginning. This one begins with {t}."],
                questionFollowUps: ["Let me tell you a story.", "The answer is a story worth telling.",
                                    "It is a story worth hearing."],
                closings: ["And that is the story of {t}.",
                           "Thank you for listening.",
                           "Every story has an ending. Thank you for listening to this one."],
                closingTitle: "The end", topicStatement: "Our story: {T}.",
                questionTopicStatement: "Our story asks: {T}", conjunction: "and")
        case (.story, .vietnamese):
            Lines(hooks: ["Hãy để tôi kể cho bạn nghe câu chuyện về {t}.",
                        "Đây là câu chuyện về {t}.",
                        "Câu chuyện nào cũng có một khởi đầu, và câu chuyện này bắt đầu với {t}."],
                questionFollowUps: ["Hãy để tôi kể cho bạn nghe một câu chuyện.", "Câu trả lời là một câu chuyện đáng kể.",
                                    "Đó là một câu chuyện đáng nghe."],
                closings: ["Và đó là câu chuyện về {t}.",
                           "Cảm ơn bạn đã lắng nghe.",
                           "Câu chuyện nào cũng có hồi kết. Cảm ơn bạn đã lắng nghe câu chuyện này."],
                closingTitle: "Hết", topicStatement: "Câu chuyện của chúng ta: {T}.",
                questionTopicStatement: "Câu chuyện của chúng ta bắt đầu từ câu hỏi: {T}", conjunction: "và")
        }
    }

    /// One of `options`, chosen by a stable hash of `seed` (FNV-1a of its UTF-8: the same in every process, unlike
    /// `Hasher`) and a `salt` so that hooks and closings vary independently.
    static func pick<T>(_ options: [T], seed: String, salt: UInt64 = 0) -> T {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
        for byte in seed.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return options[Int(hash % UInt64(options.count))]
    }

    /// `template` with `{t}` and `{T}` filled in.
    static func fill(_ template: String, topic: String, writtenTopic: String) -> String {
        template.replacingOccurrences(of: "{t}", with: topic).replacingOccurrences(of: "{T}", with: writtenTopic)
    }

    static func needsTopic(_ template: String) -> Bool {
        template.contains("{t}") || template.contains("{T}")
    }
}
