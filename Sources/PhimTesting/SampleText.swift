/// Sentences in English and Vietnamese (the same story), shared by the speech and subtitle tests.
public enum SampleText {
    public static let english = "The river was quiet this morning. A small boat drifted past the bridge, and two birds followed it. "
        + "Nobody spoke; everyone watched. Then, suddenly, the bells began to ring across the old town."
    public static let vietnamese = "Sáng nay dòng sông rất yên tĩnh. Một chiếc thuyền nhỏ trôi qua cây cầu, và hai con chim bay theo. "
        + "Không ai nói gì; mọi người chỉ nhìn. Rồi, bất chợt, tiếng chuông vang lên khắp phố cổ."

    /// Whitespace-separated tokens, the way a reader would count words.
    public static func tokens(_ text: String) -> [String] { text.split(whereSeparator: \.isWhitespace).map(String.init) }

}
