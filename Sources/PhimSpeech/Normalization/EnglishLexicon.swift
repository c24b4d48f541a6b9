/// Words the English reader needs: abbreviations, acronyms, units, currencies, months.
enum EnglishLexicon {
    /// When an abbreviation is expanded.
    enum Use: Sendable {
        /// Always (`Mr.`, `e.g.`).
        case always
        /// Always; its full stop may also end the sentence (`etc.`, `Inc.`).
        case mayEndSentence
        /// Only before a number (`No. 5`, `Jan. 5`, `Fig. 3`): otherwise `No.` is the word "no".
        case beforeNumber
        /// Only after a number (`5 min.`, `3 in.`).
        case afterNumber
    }

    /// Abbreviations as written (case matters, full stop included) → what is said. `St.` depends on its neighbours
    /// and is handled by the reader.
    static let abbreviations: [String: (words: String, use: Use)] = [
        "Mr.": ("Mister", .always), "Mrs.": ("Missus", .always), "Ms.": ("Miz", .always), "Dr.": ("Doctor", .always),
        "Prof.": ("Professor", .always), "Gov.": ("Governor", .always), "Sen.": ("Senator", .always),
        "Rep.": ("Representative", .always), "Gen.": ("General", .always), "Capt.": ("Captain", .always),
        "Lt.": ("Lieutenant", .always), "Col.": ("Colonel", .always), "Sgt.": ("Sergeant", .always),
        "Mt.": ("Mount", .always), "Ft.": ("Fort", .always), "Pres.": ("President", .always),
        "e.g.": ("for example", .always), "i.e.": ("that is", .always), "vs.": ("versus", .always), "vs": ("versus", .always),
        "approx.": ("approximately", .always), "Dept.": ("Department", .always), "est.": ("established", .always),
        "etc.": ("et cetera", .mayEndSentence), "Inc.": ("Incorporated", .mayEndSentence), "Ltd.": ("Limited", .mayEndSentence),
        "Co.": ("Company", .mayEndSentence), "Corp.": ("Corporation", .mayEndSentence), "Jr.": ("Junior", .mayEndSentence),
        "Sr.": ("Senior", .mayEndSentence), "Ave.": ("Avenue", .mayEndSentence), "Blvd.": ("Boulevard", .mayEndSentence),
        "Rd.": ("Road", .mayEndSentence), "Ph.D.": ("P-H-D", .mayEndSentence), "PhD": ("P-H-D", .always),
        "No.": ("number", .beforeNumber), "Nos.": ("numbers", .beforeNumber), "no.": ("number", .beforeNumber),
        "Fig.": ("figure", .beforeNumber), "Vol.": ("volume", .beforeNumber), "Ch.": ("chapter", .beforeNumber),
        "Jan.": ("January", .beforeNumber), "Feb.": ("February", .beforeNumber), "Mar.": ("March", .beforeNumber),
        "Apr.": ("April", .beforeNumber), "Jun.": ("June", .beforeNumber), "Jul.": ("July", .beforeNumber),
        "Aug.": ("August", .beforeNumber), "Sep.": ("September", .beforeNumber), "Sept.": ("September", .beforeNumber),
        "Oct.": ("October", .beforeNumber), "Nov.": ("November", .beforeNumber), "Dec.": ("December", .beforeNumber),
        "min.": ("minutes", .afterNumber), "hr.": ("hours", .afterNumber), "hrs.": ("hours", .afterNumber),
        "sec.": ("seconds", .afterNumber), "ft.": ("feet", .afterNumber), "in.": ("inches", .afterNumber),
        "lb.": ("pounds", .afterNumber), "oz.": ("ounces", .afterNumber),
    ]

    /// Acronyms customarily said as words, written so that engines say them so.
    static let wordAcronyms: [String: String] = [
        "NASA": "Nasa", "UNESCO": "Unesco", "NATO": "Nato", "COVID": "Covid", "UNICEF": "Unicef", "OPEC": "Opec",
        "FIFA": "Fifa", "UEFA": "Uefa", "AIDS": "Aids", "SARS": "Sars", "MERS": "Mers", "ASEAN": "Asean", "APEC": "Apec",
        "NAFTA": "Nafta", "LASER": "laser", "RADAR": "radar", "SCUBA": "scuba", "IKEA": "Ikea", "NASDAQ": "Nasdaq",
        "INTERPOL": "Interpol", "FEMA": "Fema", "DARPA": "Darpa", "PIN": "pin", "SIM": "sim", "CAPTCHA": "captcha",
        "WIFI": "wifi", "OSHA": "Osha", "SWAT": "swat", "JPEG": "jay-peg", "GIF": "gif", "EFTA": "Efta",
    ]

    /// Acronyms spelled even in a headline written in capitals (where other capital words are read as words).
    static let letterAcronyms: Set<String> = [
        "GDP", "USA", "US", "UK", "EU", "UN", "AI", "FBI", "CIA", "CEO", "CFO", "BBC", "CNN", "IMF", "WHO", "WTO", "TV",
        "IT", "PM", "MP", "NFL", "NBA", "NHS", "IPO", "ECB", "SEC", "DNA", "HIV", "GPS", "PC", "UAE",
    ]

    /// Units after a number: singular, plural.
    static let units: [String: (String, String)] = [
        "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
        "mm": ("millimeter", "millimeters"), "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"),
        "mg": ("milligram", "milligrams"), "l": ("liter", "liters"), "L": ("liter", "liters"), "ml": ("milliliter", "milliliters"),
        "mL": ("milliliter", "milliliters"), "m²": ("square meter", "square meters"), "m2": ("square meter", "square meters"),
        "km²": ("square kilometer", "square kilometers"), "km2": ("square kilometer", "square kilometers"),
        "ha": ("hectare", "hectares"), "m³": ("cubic meter", "cubic meters"), "m3": ("cubic meter", "cubic meters"),
        "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "°": ("degree", "degrees"),
        "km/h": ("kilometer per hour", "kilometers per hour"), "kph": ("kilometer per hour", "kilometers per hour"),
        "mph": ("mile per hour", "miles per hour"), "m/s": ("meter per second", "meters per second"),
        "kWh": ("kilowatt hour", "kilowatt hours"), "kW": ("kilowatt", "kilowatts"), "W": ("watt", "watts"),
        "MW": ("megawatt", "megawatts"), "GW": ("gigawatt", "gigawatts"), "V": ("volt", "volts"), "kV": ("kilovolt", "kilovolts"),
        "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"), "MHz": ("megahertz", "megahertz"),
        "GHz": ("gigahertz", "gigahertz"), "KB": ("kilobyte", "kilobytes"), "kB": ("kilobyte", "kilobytes"),
        "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"), "TB": ("terabyte", "terabytes"),
        "mAh": ("milliamp hour", "milliamp hours"), "mi": ("mile", "miles"), "ft": ("foot", "feet"), "lb": ("pound", "pounds"),
        "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"), "h": ("hour", "hours"), "hr": ("hour", "hours"),
        "hrs": ("hour", "hours"), "min": ("minute", "minutes"), "s": ("second", "seconds"), "sec": ("second", "seconds"),
        "ms": ("millisecond", "milliseconds"), "%": ("percent", "percent"),
    ]

    /// Currency codes after a number: singular, plural.
    static let currencyCodes: [String: (String, String)] = [
        "USD": ("U-S dollar", "U-S dollars"), "EUR": ("euro", "euros"), "GBP": ("pound", "pounds"), "JPY": ("yen", "yen"),
        "VND": ("dong", "dong"), "CNY": ("yuan", "yuan"), "AUD": ("Australian dollar", "Australian dollars"),
    ]

    /// A currency written as a symbol before the amount, with its unit and hundredth, singular and plural.
    struct Currency: Sendable {
        var symbol: String
        var unit: (String, String)
        var hundredth: (String, String)?
    }

    /// Currency symbols, longest first.
    static let currencies: [Currency] = [
        Currency(symbol: "US$", unit: ("U-S dollar", "U-S dollars"), hundredth: ("cent", "cents")),
        Currency(symbol: "$", unit: ("dollar", "dollars"), hundredth: ("cent", "cents")),
        Currency(symbol: "€", unit: ("euro", "euros"), hundredth: ("cent", "cents")),
        Currency(symbol: "£", unit: ("pound", "pounds"), hundredth: ("penny", "pence")),
        Currency(symbol: "¥", unit: ("yen", "yen"), hundredth: nil),
        Currency(symbol: "₫", unit: ("dong", "dong"), hundredth: nil),
    ]

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                         "November", "December"]
    /// Month names and abbreviations in lower case, without full stop → month number.
    static let monthNumbers: [String: Int] = {
        var numbers: [String: Int] = [:]
        for (index, name) in months.enumerated() {
            numbers[name.lowercased()] = index + 1
            numbers[String(name.lowercased().prefix(3))] = index + 1
        }
        numbers["sept"] = 9
        return numbers
    }()

    /// Words after which `3/12` is a date.
    static let dateWords: Set<String> = ["on", "by", "from", "until", "till", "since", "before", "after", "through"]
    /// Words after which `11:30` is a time and `am`/`pm` read as such.
    static let meridiems: [String: String] = ["am": "a.m.", "a.m": "a.m.", "a.m.": "a.m.", "pm": "p.m.", "p.m": "p.m.",
                                                     "p.m.": "p.m."]

    /// Words after which a four-digit number counts things rather than naming a year.
    static let countedNouns: Set<String> = [
        "people", "persons", "times", "years", "days", "hours", "minutes", "seconds", "points", "votes", "students", "cases",
        "deaths", "dollars", "euros", "pounds", "yen", "cents", "percent", "items", "units", "words", "pages", "miles",
        "feet", "meters", "metres", "kilometers", "kilometres", "cars", "homes", "jobs", "troops", "employees", "workers",
        "members", "copies", "calories", "steps", "users", "patients", "children", "men", "women", "tons", "tonnes",
        "acres", "rooms", "kilograms", "grams", "liters", "litres", "euro", "dollar", "visitors", "runs", "goals",
    ]
}
