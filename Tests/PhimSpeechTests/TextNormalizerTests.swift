import Testing
@testable import PhimSpeech

/// Written forms → what the voice says, from news-style text.
@Suite struct TextNormalizerTests {
    static let vietnamese: [(String, String)] = [
        // Numbers: mốt, lăm, tư, linh, mười/mươi, không trăm, nghìn, triệu, tỷ.
        ("0", "không"), ("1", "một"), ("4", "bốn"), ("5", "năm"), ("10", "mười"), ("11", "mười một"), ("14", "mười bốn"),
        ("15", "mười lăm"), ("20", "hai mươi"), ("21", "hai mươi mốt"), ("24", "hai mươi tư"), ("25", "hai mươi lăm"),
        ("31", "ba mươi mốt"), ("55", "năm mươi lăm"), ("100", "một trăm"), ("101", "một trăm linh một"),
        ("104", "một trăm linh bốn"), ("105", "một trăm linh năm"), ("110", "một trăm mười"), ("115", "một trăm mười lăm"),
        ("121", "một trăm hai mươi mốt"), ("1000", "một nghìn"), ("1005", "một nghìn không trăm linh năm"),
        ("1010", "một nghìn không trăm mười"), ("2024", "hai nghìn không trăm hai mươi tư"), ("15000", "mười lăm nghìn"),
        ("21.000", "hai mươi mốt nghìn"), ("1.000.000", "một triệu"), ("1 000 000", "một triệu"),
        ("12 345", "mười hai nghìn ba trăm bốn mươi lăm"), ("1.005.000", "một triệu không trăm linh năm nghìn"),
        ("1.000.001", "một triệu không trăm linh một"), ("2.500.000.000", "hai tỷ năm trăm triệu"),
        ("1.000.000.000.000", "một nghìn tỷ"), ("1.234.567", "một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy"),
        // Decimals, signs, percentages.
        ("3,5", "ba phẩy năm"), ("0,05", "không phẩy không năm"), ("3,14", "ba phẩy mười bốn"),
        ("3,14159", "ba phẩy một bốn một năm chín"), ("1.234,5", "một nghìn hai trăm ba mươi tư phẩy năm"), ("-5", "âm năm"),
        ("-0,5%", "âm không phẩy năm phần trăm"), ("45%", "bốn mươi lăm phần trăm"), ("12,5%", "mười hai phẩy năm phần trăm"),
        ("2.5", "hai chấm năm"), ("iOS 17.2", "iOS mười bảy chấm hai"),
        // Ranges and scores.
        ("10–20", "từ mười đến hai mươi"), ("10-20 km", "từ mười đến hai mươi ki lô mét"),
        ("khoảng 10-20 người", "khoảng mười đến hai mươi người"), ("trong 3-5 năm", "trong ba đến năm năm"),
        ("Tăng trưởng 6-6,5%.", "Tăng trưởng từ sáu đến sáu phẩy năm phần trăm."),
        ("Học phí 2,5-3 triệu đồng.", "Học phí từ hai phẩy năm đến ba triệu đồng."), ("thắng 2-1", "thắng hai một"),
        ("giai đoạn 2021-2025", "giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"),
        // Ordinals.
        ("thứ 1", "thứ nhất"), ("thứ 2", "thứ hai"), ("lần thứ 4", "lần thứ tư"), ("hạng thứ 14", "hạng thứ mười bốn"),
        ("thế kỷ XXI", "thế kỷ hai mươi mốt"), ("Chiến tranh thế giới thứ II", "Chiến tranh thế giới thứ hai"),
        // Dates.
        ("12/3/2024", "ngày mười hai tháng ba năm hai nghìn không trăm hai mươi tư"), ("ngày 2/9", "ngày hai tháng chín"),
        ("Sáng 2/9, tại Hà Nội", "Sáng ngày hai tháng chín, tại Hà Nội"),
        ("tháng 3/2024", "tháng ba năm hai nghìn không trăm hai mươi tư"),
        ("tháng 4/2023", "tháng tư năm hai nghìn không trăm hai mươi ba"), ("năm 2024", "năm hai nghìn không trăm hai mươi tư"),
        ("2024-03-12", "ngày mười hai tháng ba năm hai nghìn không trăm hai mươi tư"),
        ("quý 1/2024", "quý một năm hai nghìn không trăm hai mươi tư"),
        ("Ngày 30/4/1975", "Ngày ba mươi tháng tư năm một nghìn chín trăm bảy mươi lăm"),
        ("02/09/1945", "ngày hai tháng chín năm một nghìn chín trăm bốn mươi lăm"),
        ("Chủ nhật 15/9", "Chủ nhật ngày mười lăm tháng chín"), ("Thứ 2 (16/9)", "Thứ hai (ngày mười sáu tháng chín)"),
        ("từ 1/7", "từ ngày một tháng bảy"), ("Hà Nội, 2.9.2024", "Hà Nội, ngày hai tháng chín năm hai nghìn không trăm hai mươi tư"),
        // Times.
        ("8h30", "tám giờ ba mươi phút"), ("8:30", "tám giờ ba mươi phút"), ("20h", "hai mươi giờ"), ("8h05", "tám giờ năm phút"),
        ("lúc 19:30", "lúc mười chín giờ ba mươi phút"), ("7:05:30", "bảy giờ năm phút ba mươi giây"), ("0h", "không giờ"),
        ("trong 24h", "trong hai mươi tư giờ"), ("làm việc 8h30-17h.", "làm việc từ tám giờ ba mươi phút đến mười bảy giờ."),
        // Money.
        ("50.000 đồng", "năm mươi nghìn đồng"), ("50.000đ", "năm mươi nghìn đồng"), ("50.000 VND", "năm mươi nghìn đồng"),
        ("50.000 VNĐ", "năm mươi nghìn đồng"), ("50.000₫", "năm mươi nghìn đồng"), ("2 triệu đồng", "hai triệu đồng"),
        ("10 USD", "mười đô la Mỹ"), ("$5", "năm đô la"), ("€20", "hai mươi ơ rô"), ("1,5 tỷ USD", "một phẩy năm tỷ đô la Mỹ"),
        ("50k", "năm mươi nghìn"), ("15tr", "mười lăm triệu"), ("29.990.000đ", "hai mươi chín triệu chín trăm chín mươi nghìn đồng"),
        ("1 500 000 đồng.", "một triệu năm trăm nghìn đồng."), ("2 500 000đ", "hai triệu năm trăm nghìn đồng"),
        ("Tỷ giá USD", "Tỷ giá đô la Mỹ"), ("1.200 đồng/lít", "một nghìn hai trăm đồng một lít"),
        ("6,5%/năm", "sáu phẩy năm phần trăm một năm"), ("50.000đ/kg", "năm mươi nghìn đồng một ki lô gam"),
        // Units.
        ("5km", "năm ki lô mét"), ("100m²", "một trăm mét vuông"), ("331.212 km²", "ba trăm ba mươi mốt nghìn hai trăm mười hai ki lô mét vuông"),
        ("25°C", "hai mươi lăm độ C"), ("-3,5°C", "âm ba phẩy năm độ C"), ("38-40°C", "từ ba mươi tám đến bốn mươi độ C"),
        ("60km/h", "sáu mươi ki lô mét trên giờ"), ("3,5 GB", "ba phẩy năm di ga bai"), ("2 kg", "hai ki lô gam"),
        ("500 ml", "năm trăm mi li lít"), ("150cc", "một trăm năm mươi phân khối"), ("5.000 mAh", "năm nghìn mi li am pe giờ"),
        ("10 ha", "mười héc ta"), ("20 m³", "hai mươi mét khối"), ("1,8 m", "một phẩy tám mét"),
        // Abbreviations.
        ("TP.HCM", "Thành phố Hồ Chí Minh"), ("TP. HCM", "Thành phố Hồ Chí Minh"), ("TP. Hà Nội", "thành phố Hà Nội"),
        ("v.v.", "vân vân."), ("sách, vở, v.v. Sau đó", "sách, vở, vân vân. Sau đó"), ("ThS. Nguyễn Văn An", "Thạc sĩ Nguyễn Văn An"),
        ("TS. Lê Bình", "Tiến sĩ Lê Bình"), ("GS. Ngô Bảo Châu", "Giáo sư Ngô Bảo Châu"),
        ("PGS.TS. Trần Văn Bình", "Phó Giáo sư Tiến sĩ Trần Văn Bình"), ("BS. Hoa", "Bác sĩ Hoa"), ("UBND", "Ủy ban nhân dân"),
        ("UBND TP.HCM", "Ủy ban nhân dân Thành phố Hồ Chí Minh"), ("HĐND tỉnh", "Hội đồng nhân dân tỉnh"),
        ("Bộ GD&ĐT", "Bộ Giáo dục và Đào tạo"), ("3.000 CSGT", "ba nghìn cảnh sát giao thông"),
        ("học sinh THPT", "học sinh trung học phổ thông"), ("Q.1", "quận một"), ("HLV Park", "huấn luyện viên Park"),
        // Acronyms.
        ("GDP", "gờ đê pê"), ("AI", "a i"), ("WHO", "vê kép hát ô"), ("VTV", "vê tê vê"), ("NATO", "Na tô"),
        ("COVID-19", "Cô vít mười chín"), ("U23", "u hai mươi ba"), ("5G", "năm gờ"), ("H5N1", "hát năm en một"),
        ("HÀ NỘI ĐÓN KHÁCH", "HÀ NỘI ĐÓN KHÁCH"),
        // Web and e-mail addresses, phone numbers, fractions.
        ("https://www.example.com/a/b?c", "example chấm com"), ("vnexpress.net", "vnexpress chấm net"),
        ("thanhnien.vn/thoi-su", "thanhnien chấm vê en"), ("abc@example.com", "abc a còng example chấm com"),
        ("0912345678", "không chín một hai ba bốn năm sáu bảy tám"), ("0912.345.678", "không chín một hai ba bốn năm sáu bảy tám"),
        ("1/3", "một phần ba"), ("24/7", "hai mươi tư trên bảy"),
        // Forms that make no sense stay as written.
        ("Ngày 31/2/2024", "Ngày 31/2/2024"), ("tháng 13/2024", "tháng 13/2024"), ("12/13/2024", "12/13/2024"), ("1,2,3", "1,2,3"),
        // Sentences.
        ("Năm 2023, GDP của Việt Nam tăng 5,05%.",
         "Năm hai nghìn không trăm hai mươi ba, gờ đê pê của Việt Nam tăng năm phẩy không năm phần trăm."),
        ("Từ 1/7/2024, lương cơ sở tăng lên 2,34 triệu đồng/tháng.",
         "Từ ngày một tháng bảy năm hai nghìn không trăm hai mươi tư, lương cơ sở tăng lên hai phẩy ba mươi tư triệu đồng một tháng."),
        ("Lúc 14h15 ngày 20/11, UBND TP.HCM họp.",
         "Lúc mười bốn giờ mười lăm phút ngày hai mươi tháng mười một, Ủy ban nhân dân Thành phố Hồ Chí Minh họp."),
        ("Đội tuyển U23 Việt Nam thắng 3-0.", "Đội tuyển u hai mươi ba Việt Nam thắng ba không."),
        ("Cao tốc dài 120 km, vốn 12.000 tỷ đồng.", "Cao tốc dài một trăm hai mươi ki lô mét, vốn mười hai nghìn tỷ đồng."),
        ("Giá tăng 15% lên 50.000đ.", "Giá tăng mười lăm phần trăm lên năm mươi nghìn đồng."),
    ]

    static let english: [(String, String)] = [
        ("1,000,000", "one million"), ("3.5", "three point five"), ("-7", "minus seven"), ("45%", "forty-five percent"),
        ("12.5%", "twelve point five percent"), ("10-20 km", "ten to twenty kilometers"), ("007", "zero zero seven"),
        ("1st 22nd 3rd 11th 101st", "first twenty-second third eleventh one hundred first"), ("2th", "2th"),
        ("in 1998", "in nineteen ninety-eight"), ("2024", "twenty twenty-four"), ("in 1905", "in nineteen oh five"),
        ("2005", "two thousand five"), ("1998-2004", "nineteen ninety-eight to two thousand four"),
        ("It costs 1234 dollars", "It costs one thousand two hundred thirty-four dollars"),
        ("In 2024, the GDP grew.", "In twenty twenty-four, the G-D-P grew."), ("March 3, 2024", "March third, twenty twenty-four"),
        ("3/12/2024", "March twelfth, twenty twenty-four"), ("2024-03-12", "March twelfth, twenty twenty-four"),
        ("3 March 2024", "the third of March twenty twenty-four"), ("on 3/12", "on March twelfth"),
        ("Jan. 5, 2020", "January fifth, twenty twenty"), ("3:30 pm", "three thirty p.m."), ("8 a.m.", "eight a.m."),
        ("Meet me at 8 a.m. Then go.", "Meet me at eight a.m. Then go."), ("8am", "eight a.m."), ("3:05", "three oh five"),
        ("3:00", "three o'clock"), ("15:45", "fifteen forty-five"), ("open 9am-5pm daily", "open nine a.m. to five p.m. daily"), ("$5.20", "five dollars and twenty cents"),
        ("$3 million", "three million dollars"), ("$1.5 billion", "one point five billion dollars"), ("$1", "one dollar"),
        ("$0.99", "ninety-nine cents"), ("€20", "twenty euros"), ("£5.50", "five pounds and fifty pence"),
        ("$5bn", "five billion dollars"), ("10 USD", "ten U-S dollars"), ("1 km", "one kilometer"), ("25°C", "twenty-five degrees Celsius"),
        ("-5°F", "minus five degrees Fahrenheit"), ("60 mph", "sixty miles per hour"), ("3.5 GB", "three point five gigabytes"),
        ("Mr. Smith and Dr. Jones", "Mister Smith and Doctor Jones"), ("St. Louis is on Baker St.", "Saint Louis is on Baker Street."),
        ("Mrs. Brown, e.g., i.e., etc.", "Missus Brown, for example, that is, et cetera."),
        ("apples, pears, etc. Then more.", "apples, pears, et cetera. Then more."), ("Lakers vs. Celtics", "Lakers versus Celtics"),
        ("approx. 5 km", "approximately five kilometers"), ("No. 5", "number five"), ("No. I will not.", "No. I will not."),
        ("NASA, UNESCO and NATO", "Nasa, Unesco and Nato"), ("COVID-19", "Covid nineteen"), ("GDP AI USA FBI", "G-D-P A-I U-S-A F-B-I"),
        ("CEOs", "C-E-O's"), ("NASA's budget", "Nasa's budget"), ("the U.S. economy", "the U-S economy"),
        ("BREAKING NEWS FROM THE FBI", "BREAKING NEWS FROM THE F-B-I"), ("A4 and G7", "A-four and G seven"),
        ("https://www.example.com/a/b?c", "example dot com"), ("john.smith@example.com", "john dot smith at example dot com"),
        ("1/2 3/4 2/3", "one half three quarters two thirds"), ("1990s '80s", "nineteen nineties eighties"),
        ("1,5", "1,5"), ("555-1234", "555-1234"), ("13/13/2024", "13/13/2024"),
    ]

    @Test func vietnameseIsReadTheWayANewsreaderSaysIt() {
        #expect(Self.vietnamese.count >= 100)
        let normalizer = TextNormalizer(language: "vi")
        for (written, spoken) in Self.vietnamese {
            #expect(normalizer.normalize(written).spokenText == spoken, "\(written)")
        }
    }

    @Test func englishIsReadTheWayANewsreaderSaysIt() {
        #expect(Self.english.count >= 40)
        for language in ["en", "en-us", "EN_us"] {
            let normalizer = TextNormalizer(language: language)
            for (written, spoken) in Self.english {
                #expect(normalizer.normalize(written).spokenText == spoken, "\(written) (\(language))")
            }
        }
    }

    @Test func britishEnglishSaysAndAndPutsTheDayFirst() {
        let normalizer = TextNormalizer(language: "en-gb")
        #expect(normalizer.normalize("105 2005 1,005").spokenText == "one hundred and five two thousand and five one thousand and five")
        #expect(normalizer.normalize("3/12/2024").spokenText == "the third of December, twenty twenty-four")
        #expect(normalizer.normalize("$5.20 in 1998").spokenText == "five dollars and twenty cents in nineteen ninety-eight")
    }

    /// What the normalizer writes is plain words: reading it again changes nothing.
    @Test func spokenTextIsAlreadyNormal() {
        for (language, cases) in [("vi", Self.vietnamese), ("en", Self.english)] {
            let normalizer = TextNormalizer(language: language)
            for (_, spoken) in cases {
                #expect(normalizer.normalize(spoken).spokenText == spoken, "\(spoken)")
            }
        }
    }

    @Test func otherLanguagesAreLeftAsWritten() {
        let text = "Le 12/3/2024, 50 % des 1 000 élèves."
        let normalized = TextNormalizer(language: "fr").normalize(text)
        #expect(!TextNormalizer(language: "fr").readsLanguage && TextNormalizer(language: "vi-VN").readsLanguage)
        #expect(normalized.spokenText == text)
        #expect(normalized.tokens.map(\.spoken) == normalized.tokens.indices.map { $0..<($0 + 1) })
    }
}
