import Foundation
import PhimCore
import Testing
@testable import PhimScript

/// Short sample texts written for these tests.
enum Samples {
    static let englishArticle = """
    # Urban Gardens

    City dwellers are turning rooftops and balconies into small farms. An urban garden can feed a family with fresh \
    vegetables through the summer.

    ## Why grow food in the city

    Urban gardens cut the distance food travels from farm to plate. A tomato grown on a balcony needs no truck, no \
    warehouse and no plastic wrap. Gardens also cool the streets around them, because plants shade the ground and \
    release water.

    - Fresh vegetables within reach
    - Cooler streets in summer
    - Less packaging waste

    ## Getting started

    Start with a few pots and easy plants such as herbs, lettuce and beans. Most vegetables need at least six hours \
    of sunlight a day. A simple drip line saves water and time. Mulch keeps the soil moist on hot afternoons. \
    Check the pots every morning, and water them before the sun gets strong.

    ## The numbers

    In one survey, 40% of gardeners said they eat more vegetables since they started. A balcony garden of four square \
    metres can produce about 25 kg of vegetables a year. The global market for urban farming reached $236 billion in 2023.
    """

    static let vietnameseArticle = """
    # Cà phê Việt Nam

    Việt Nam là một trong những nước xuất khẩu cà phê lớn nhất thế giới. Cà phê gắn liền với đời sống hằng ngày của \
    người Việt.

    ## Lịch sử

    Cây cà phê được người Pháp đưa vào Việt Nam từ thế kỷ 19. Ban đầu, cà phê chỉ được trồng ở vài đồn điền nhỏ. \
    Ngày nay, Tây Nguyên là vùng trồng cà phê quan trọng nhất.

    ## Cách pha phin

    Cà phê phin được pha chậm qua một chiếc phin nhôm nhỏ. Người ta thường thêm sữa đặc để có ly cà phê sữa đá.

    - Cho cà phê xay vào phin
    - Rót một ít nước sôi để ủ
    - Chờ cà phê nhỏ giọt

    ## Con số

    Năm 2023, xuất khẩu cà phê đạt khoảng 4,2 tỷ USD. Robusta chiếm gần 90% sản lượng cà phê của cả nước. \
    Mỗi năm, Việt Nam sản xuất khoảng 1,8 triệu tấn cà phê.
    """

    static let englishOutline = """
    Learning to cook

    - Buy a sharp knife
    - Learn five basic sauces
    - Cook rice without a recipe
    - Taste as you go
    - Clean while you cook
    """
}

/// The `PhimError` a throwing call raised, or `nil` when it returned (any other error fails the test).
func caught<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> PhimError? {
    do {
        _ = try body()
        return nil
    } catch let error as PhimError {
        return error
    } catch {
        Issue.record("expected a PhimError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The `PhimError` an async throwing call raised, or `nil` when it returned (any other error fails the test).
func caught<T>(_ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation) async -> PhimError? {
    do {
        _ = try await body()
        return nil
    } catch let error as PhimError {
        return error
    } catch {
        Issue.record("expected a PhimError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
