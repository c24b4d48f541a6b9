/// Words the Vietnamese reader needs: letter names, abbreviations, acronyms, units and currencies.
enum VietnameseLexicon {
    /// Letter names used when spelling an acronym, as heard in Vietnamese broadcast speech (`GDP` → "gờ đê pê",
    /// `VTV` → "vê tê vê", `CNN` → "xê en en"). `J` and the `gi` of "giga" are written "di": espeak-ng reads a lone
    /// "gi" as a bare consonant, and "di" sounds the same in northern speech.
    static let letterNames: [Character: String] = [
        "A": "a", "Ă": "á", "Â": "ớ", "B": "bê", "C": "xê", "D": "đê", "Đ": "đê", "E": "e", "Ê": "ê", "F": "ép",
        "G": "gờ", "H": "hát", "I": "i", "J": "di", "K": "ca", "L": "lờ", "M": "em", "N": "en", "O": "ô", "Ô": "ô",
        "Ơ": "ơ", "P": "pê", "Q": "quy", "R": "rờ", "S": "ét", "T": "tê", "U": "u", "Ư": "ư", "V": "vê", "W": "vê kép",
        "X": "ích", "Y": "i dài", "Z": "dét",
    ]

    /// Abbreviations and acronyms that stand for words, as written (case matters) → what is said. Forms with a full
    /// stop match only with it; titles (`GS.`, `TS.`) combine (`PGS.TS.` → "Phó Giáo sư Tiến sĩ").
    static let abbreviations: [String: String] = [
        "TP.HCM": "Thành phố Hồ Chí Minh", "TPHCM": "Thành phố Hồ Chí Minh", "Tp.HCM": "Thành phố Hồ Chí Minh",
        "TP.": "thành phố", "Tp.": "thành phố", "TP": "thành phố", "HCM": "Hồ Chí Minh",
        "v.v.": "vân vân", "v.v": "vân vân", "v.v…": "vân vân",
        "ThS.": "Thạc sĩ", "TS.": "Tiến sĩ", "GS.": "Giáo sư", "PGS.": "Phó Giáo sư", "BS.": "Bác sĩ", "KS.": "Kỹ sư",
        "NSND": "Nghệ sĩ Nhân dân", "NSƯT": "Nghệ sĩ Ưu tú", "PV": "phóng viên", "BTV": "biên tập viên",
        "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "MTTQ": "Mặt trận Tổ quốc", "TW": "Trung ương",
        "TƯ": "Trung ương", "BCH": "Ban Chấp hành", "ĐBQH": "đại biểu Quốc hội", "LHQ": "Liên Hợp Quốc",
        "TAND": "Tòa án nhân dân", "VKSND": "Viện kiểm sát nhân dân", "CAND": "Công an nhân dân",
        "QĐND": "Quân đội nhân dân", "CSGT": "cảnh sát giao thông", "ATGT": "an toàn giao thông",
        "PCCC": "phòng cháy chữa cháy", "GTVT": "giao thông vận tải", "KT-XH": "kinh tế xã hội",
        "GD&ĐT": "Giáo dục và Đào tạo", "KH&CN": "Khoa học và Công nghệ", "TN&MT": "Tài nguyên và Môi trường",
        "NN&PTNT": "Nông nghiệp và Phát triển nông thôn", "LĐ-TB&XH": "Lao động Thương binh và Xã hội",
        "THPT": "trung học phổ thông", "THCS": "trung học cơ sở", "ĐH": "đại học", "CĐ": "cao đẳng",
        "ĐHQG": "Đại học Quốc gia", "HS": "học sinh", "SV": "sinh viên", "GV": "giáo viên",
        "BHXH": "bảo hiểm xã hội", "BHYT": "bảo hiểm y tế", "HLV": "huấn luyện viên", "VĐV": "vận động viên",
        "CLB": "câu lạc bộ", "ĐT": "đội tuyển", "ĐBSCL": "Đồng bằng sông Cửu Long", "KCN": "khu công nghiệp",
        "KĐT": "khu đô thị", "BĐS": "bất động sản", "DN": "doanh nghiệp", "DNNN": "doanh nghiệp nhà nước",
        "CTCP": "công ty cổ phần", "TNHH": "trách nhiệm hữu hạn", "Cty": "công ty", "NXB": "Nhà xuất bản",
        "TTXVN": "Thông tấn xã Việt Nam", "VN": "Việt Nam", "SĐT": "số điện thoại", "GĐ": "giám đốc",
        "TGĐ": "tổng giám đốc", "PGĐ": "phó giám đốc", "QL": "quốc lộ", "Q.": "quận", "P.": "phường", "TX.": "thị xã",
        "TT.": "thị trấn", "tr.": "trang", "Đ/c": "đồng chí", "AI": "a i",
    ]

    /// Acronyms Vietnamese speakers say as words, spelled the way they say them.
    static let wordAcronyms: [String: String] = [
        "NATO": "Na tô", "ASEAN": "A xê an", "COVID": "Cô vít", "UNESCO": "Iu nét xcô", "UNICEF": "U ni xép",
        "FIFA": "Phi pha", "APEC": "A pếch", "OPEC": "Ô pếch", "AIDS": "ết", "SARS": "Sát", "NASA": "Na sa",
        "WIFI": "oai phai", "UEFA": "u ê pha",
    ]

    /// Units said after a number (`5 km`, `25°C`, `100m²`).
    static let units: [String: String] = [
        "km": "ki lô mét", "m": "mét", "cm": "xăng ti mét", "mm": "mi li mét", "µm": "mi crô mét", "nm": "na nô mét",
        "kg": "ki lô gam", "g": "gam", "mg": "mi li gam", "l": "lít", "L": "lít", "ml": "mi li lít", "mL": "mi li lít",
        "m²": "mét vuông", "m2": "mét vuông", "km²": "ki lô mét vuông", "km2": "ki lô mét vuông", "cm²": "xăng ti mét vuông",
        "ha": "héc ta", "m³": "mét khối", "m3": "mét khối", "cc": "phân khối", "°C": "độ C", "°F": "độ F", "°": "độ",
        "km/h": "ki lô mét trên giờ", "m/s": "mét trên giây", "kWh": "ki lô oát giờ", "kW": "ki lô oát", "W": "oát",
        "MW": "mê ga oát", "GW": "di ga oát", "V": "vôn", "kV": "ki lô vôn", "mAh": "mi li am pe giờ", "Hz": "héc",
        "kHz": "ki lô héc", "MHz": "mê ga héc", "GHz": "di ga héc", "KB": "ki lô bai", "kB": "ki lô bai",
        "MB": "mê ga bai", "GB": "di ga bai", "TB": "tê ra bai", "h": "giờ", "%": "phần trăm", "‰": "phần nghìn",
    ]

    /// Currencies written after a number (`50.000đ`, `10 USD`) or alone (`đồng USD`).
    static let currencies: [String: String] = [
        "đ": "đồng", "₫": "đồng", "VND": "đồng", "VNĐ": "đồng", "vnđ": "đồng", "vnd": "đồng", "USD": "đô la Mỹ",
        "EUR": "ơ rô", "GBP": "bảng Anh", "JPY": "yên Nhật", "CNY": "nhân dân tệ", "NDT": "nhân dân tệ",
    ]

    /// Currency symbols written before a number (`$5`, `€20`), longest first.
    static let currencySymbols: [(symbol: String, words: String)] = [
        ("US$", "đô la Mỹ"), ("$", "đô la"), ("€", "ơ rô"), ("£", "bảng Anh"), ("¥", "yên"), ("₫", "đồng"),
    ]

    /// Scale letters written after a number in informal text (`50k` → năm mươi nghìn, `15tr` → mười lăm triệu); a
    /// capital `K` is not one (`4K` is a video resolution).
    static let scaleSuffixes: [String: String] = ["k": "nghìn", "tr": "triệu"]

    /// Words after which `2/9` is a date (ngày 2/9, sáng 2/9, từ 1/7…).
    static let dateWords: Set<String> = ["ngày", "hôm", "mùng", "mồng", "sáng", "trưa", "chiều", "tối", "đêm", "rạng",
                                         "vào", "từ", "đến", "tới", "trước", "sau", "hết", "nay", "qua", "mai", "và"]
    /// Words after which a date does not need its own "ngày".
    static let dayWords: Set<String> = ["ngày", "mùng", "mồng", "hôm"]
    /// Words after which a range needs no "từ" (khoảng 10-20, trong 3-5 năm, từ 10-20, giai đoạn 2020-2025).
    static let rangeOpeners: Set<String> = ["từ", "khoảng", "tầm", "chừng", "độ", "trong", "chỉ", "mất", "và", "hoặc",
                                            "hay", "đoạn", "kỳ", "khóa", "niên", "mùa", "ngày", "tháng", "năm", "số", "lúc"]

    /// Whether `word` (letters without tone marks, in capitals or not) could be one Vietnamese syllable, so that an
    /// all-capital token such as `BAN` is taken for a word rather than spelled.
    static func isPlausibleSyllable(_ word: String) -> Bool {
        let text = word.lowercased()
        let onsets = ["ngh", "ng", "gh", "gi", "kh", "nh", "ph", "qu", "th", "tr", "ch", "b", "c", "d", "đ", "g", "h", "k",
                      "l", "m", "n", "p", "r", "s", "t", "v", "x"]
        let onset = onsets.first { text.hasPrefix($0) } ?? ""
        var rest = Substring(text).dropFirst(onset.count)
        let vowels = rest.prefix { "aeiouy".contains($0) }
        guard (1...3).contains(vowels.count) else { return false }
        rest = rest.dropFirst(vowels.count)
        guard ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"].contains(String(rest)) else { return false }
        let first = vowels.first!
        switch onset {
        case "c", "g", "ng": return !"eiy".contains(first) || (onset == "g" && first == "i")
        case "k", "gh", "ngh": return "eiy".contains(first)
        default: return true
        }
    }
}
