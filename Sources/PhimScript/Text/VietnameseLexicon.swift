/// Common two-syllable Vietnamese words, so that keyword extraction segments `nhà nghiên cứu thường` as
/// `nghiên cứu`, not `nhà nghiên` + `cứu thường`. A small general vocabulary written for Phim (not a dictionary):
/// pairs not listed still become compounds when they recur or mostly occur together in the document.
public enum VietnameseLexicon {
    static let compounds: Set<String> = [
        // science, technology, work
        "nghiên cứu", "khoa học", "công nghệ", "kỹ thuật", "kĩ thuật", "máy tính", "điện thoại", "phần mềm", "phần cứng",
        "dữ liệu", "thông tin", "hệ thống", "mô hình", "thuật toán", "trí tuệ", "nhân tạo", "internet", "mạng lưới",
        "quy luật", "quy tắc", "ứng dụng", "thiết bị", "sản phẩm", "dịch vụ", "giải pháp", "phương pháp", "quy trình", "chất lượng", "hiệu quả",
        "hiệu suất", "năng lượng", "điện năng", "mặt trời", "tấm pin", "pin mặt", "động cơ", "xe điện", "nhiên liệu",
        "môi trường", "khí hậu", "thời tiết", "ô nhiễm", "khí thải", "tài nguyên", "nguồn nước", "rác thải", "tái chế",
        "kinh tế", "thị trường", "doanh nghiệp", "công ty", "doanh thu", "lợi nhuận", "chi phí", "giá cả", "đầu tư",
        "tài chính", "ngân hàng", "tiền tệ", "xuất khẩu", "nhập khẩu", "sản xuất", "tiêu dùng", "khách hàng", "người dùng",
        "nhân viên", "lao động", "việc làm", "thu nhập", "quản lý", "kinh doanh", "thương mại", "điện tử", "mua sắm",
        "quảng cáo", "thương hiệu", "truyền thông", "mạng xã hội", "xã hội", "cộng đồng", "gia đình", "trẻ em",
        "học sinh", "sinh viên", "giáo viên", "giáo dục", "trường học", "đại học", "kiến thức", "kỹ năng", "kinh nghiệm",
        "bài học", "bài toán", "câu hỏi", "câu trả", "trả lời", "ví dụ", "ý tưởng", "mục tiêu", "kết quả", "nguyên nhân",
        "vấn đề", "thách thức", "cơ hội", "lợi ích", "rủi ro", "an toàn", "bảo mật", "quyền riêng", "riêng tư",
        "sức khỏe", "sức khoẻ", "bệnh viện", "bác sĩ", "y tế", "thuốc men", "dinh dưỡng", "thực phẩm", "món ăn",
        "ẩm thực", "cà phê", "nông nghiệp", "nông dân", "cây trồng", "đồn điền", "sản lượng", "thu hoạch",
        "lịch sử", "văn hóa", "văn hoá", "truyền thống", "nghệ thuật", "âm nhạc", "điện ảnh", "du lịch", "thành phố",
        "nông thôn", "quốc gia", "đất nước", "thế giới", "toàn cầu", "chính phủ", "chính sách", "pháp luật", "luật pháp",
        "giao thông", "đường phố", "nhà cửa", "xây dựng", "kiến trúc", "con người", "cuộc sống", "đời sống", "thói quen",
        "thời gian", "không gian", "tương lai", "quá khứ", "hiện tại", "ngày nay", "hằng ngày", "hàng ngày",
        "phát triển", "tăng trưởng", "thay đổi", "cải thiện", "giảm thiểu", "bảo vệ", "hỗ trợ", "giúp đỡ", "tạo ra",
        "sử dụng", "hoạt động", "vận hành", "điều khiển", "điều chỉnh", "kiểm tra", "đánh giá", "phân tích", "dự đoán",
        "dự báo", "nhận diện", "nhận dạng", "xử lý", "tính toán", "lưu trữ", "tìm kiếm", "gợi ý", "huấn luyện",
        "học tập", "giám sát", "tăng cường", "gom nhóm", "phân loại", "lập trình", "thiết kế", "sáng tạo", "khám phá",
        "quan trọng", "cần thiết", "phổ biến", "chính xác", "hiệu quả", "đơn giản", "phức tạp", "cẩn thận", "nhanh chóng",
        "dễ dàng", "khó khăn", "thực tế", "thực hành", "tự động", "thông minh", "hiện đại", "bền vững", "sạch sẽ",
        "giá trị", "số lượng", "tỷ lệ", "tỉ lệ", "phần trăm", "trung bình", "con số", "thống kê", "khảo sát",
        "hình ảnh", "video", "âm thanh", "giọng nói", "ngôn ngữ", "văn bản", "bài viết", "nội dung", "câu chuyện",
        "nhân vật", "khán giả", "người xem", "bước một", "từng bước", "hướng dẫn", "bắt đầu", "kết thúc", "lựa chọn",
        "quyết định", "kế hoạch", "chiến lược", "tổ chức", "cá nhân", "tập thể", "bạn bè", "đồng nghiệp", "tình yêu",
        "hạnh phúc", "cảm xúc", "tâm lý", "thể thao", "bóng đá", "sức mạnh", "tốc độ", "khoảng cách", "diện tích",
        "mái nhà", "điện lưới", "lưu điện", "nhiệt độ", "ánh sáng", "ánh nắng", "bầu trời", "đại dương", "rừng cây",
        "động vật", "thực vật", "sinh vật", "tự nhiên", "thiên nhiên", "vũ trụ", "hành tinh", "trái đất", "mặt trăng",
    ]

    /// Whether two written words (as they appear in text, with case and punctuation) make one listed two-syllable
    /// word. A word that ends in punctuation ends a phrase, so it never joins the next.
    public static func joins(_ first: String, _ second: String) -> Bool {
        guard let last = first.last, last.isLetter, let head = second.first, head.isLetter else { return false }
        let trimmed = second.trimmingCharacters(in: .punctuationCharacters)
        return compounds.contains(first.lowercased().nfc + " " + trimmed.lowercased().nfc)
    }
}
