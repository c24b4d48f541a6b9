import Foundation
import PhimCore
import Testing
@testable import PhimScript

@Suite struct FigureTests {
    let english = FigureExtractor(language: .english)
    let vietnamese = FigureExtractor(language: .vietnamese)

    @Test func englishPercentagesMoneyAndMagnitudes() {
        let figures = english.figures(in: "In 2023, 40% of households used solar panels, which cost $120 each, and the market reached 1.5 million homes.")
        #expect(figures.map(\.text) == ["40%", "$120", "1.5 million"])
        #expect(figures[0] == Figure(label: "households", value: 40, unit: "%", text: "40%"))
        #expect(figures[1].value == 120)
        #expect(figures[1].unit == "USD")
        #expect(figures[2].value == 1_500_000)
        #expect(figures[2].unit == nil)
        #expect(figures[2].label == "homes")
    }

    @Test func labelsFromTheWordsBefore() {
        let figures = english.figures(in: "The global market for urban farming reached $236 billion in 2023.")
        #expect(figures.count == 1)
        #expect(figures[0].value == 236e9)
        #expect(figures[0].label == "urban farming")
        #expect(figures[0].text == "$236 billion")
    }

    @Test func vietnameseNumbers() {
        let figures = vietnamese.figures(in: "Năm 2023, xuất khẩu cà phê đạt khoảng 4,2 tỷ USD, tăng 25% so với năm trước; cả nước có 3 triệu người trồng cà phê.")
        #expect(figures.map(\.text) == ["4,2 tỷ USD", "25%", "3 triệu"])
        #expect(figures[0].value == 4.2e9)
        #expect(figures[0].unit == "USD")
        #expect(figures[0].label == "xuất khẩu cà phê")
        #expect(figures[1].label == "xuất khẩu cà phê")
        #expect(figures[2].value == 3e6)
        #expect(figures[2].label.hasPrefix("người"))
    }

    @Test func vietnameseMoneyAndGroupedDigits() {
        let figures = vietnamese.figures(in: "Doanh thu đạt 2,5 tỷ đồng. Giá vé là 150.000 đồng. Robusta chiếm 90% sản lượng.")
        #expect(figures.map(\.text) == ["2,5 tỷ đồng", "150.000 đồng", "90%"])
        #expect(figures[0] == Figure(label: "Doanh thu", value: 2.5e9, unit: "VND", text: "2,5 tỷ đồng"))
        #expect(figures[1].value == 150_000)
        #expect(figures[2].label == "sản lượng")
        #expect(vietnamese.figures(in: "Tỷ lệ là 12 phần trăm.").first?.unit == "%")
        #expect(vietnamese.figures(in: "Dự án 5 nghìn tỷ đồng.").first?.value == 5e12)
    }

    @Test func yearsAndBareNumbersAreNotFigures() {
        #expect(english.figures(in: "It began in 1998 and ended in 2024 with 3 winners.").isEmpty)
        #expect(vietnamese.figures(in: "Từ năm 1975 đến năm 2000.").isEmpty)
        #expect(english.figures(in: "COVID-19 and 5G and 3D printing and the 2nd try.").isEmpty)
    }

    @Test func unitsAndGluedMagnitudes() {
        let figures = english.figures(in: "The farm makes 5 GW, weighs 25 kg and raised $3bn.")
        #expect(figures.map(\.text) == ["5 GW", "25 kg", "$3bn"])
        #expect(figures[0].unit == "GW")
        #expect(figures[2].value == 3e9)
    }

    @Test func numberReading() {
        #expect(FigureExtractor.number("1.000.000", language: .vietnamese) == 1_000_000)
        #expect(FigureExtractor.number("1.000.000", language: .english) == 1_000_000)
        #expect(FigureExtractor.number("2,5", language: .vietnamese) == 2.5)
        #expect(FigureExtractor.number("1,500", language: .english) == 1500)
        #expect(FigureExtractor.number("1.5", language: .english) == 1.5)
        #expect(FigureExtractor.number("3.5", language: .vietnamese) == 3.5)
        #expect(FigureExtractor.number("1.234,5", language: .vietnamese) == 1234.5)
        #expect(FigureExtractor.number("1,234.5", language: .english) == 1234.5)
    }
}
