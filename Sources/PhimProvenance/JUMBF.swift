import Foundation

/// JUMBF (ISO/IEC 19566-5) boxes, the container C2PA stores its manifests in: a superbox (`jumb`) holds a
/// description (`jumd`: content type, label) and its content boxes or child superboxes.
enum JUMBF {
    /// C2PA's content types: four ASCII characters followed by the JUMBF suffix.
    enum ContentType: String {
        case manifestStore = "c2pa"
        case manifest = "c2ma"
        case assertionStore = "c2as"
        case claim = "c2cl"
        case signature = "c2cs"
        case cbor = "cbor"

        var uuid: [UInt8] {
            Array(rawValue.utf8) + [0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]
        }
    }

    /// A box: 32-bit size (header included), type, payload.
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        BigEndian.bytes(UInt32(8 + payload.count)) + Array(type.utf8) + payload
    }

    /// The description box: requestable, labelled (toggles 0x03).
    static func description(_ type: ContentType, label: String) -> [UInt8] {
        box("jumd", type.uuid + [0x03] + Array(label.utf8) + [0])
    }

    /// A superbox of `type` labelled `label` holding `children` (whole boxes).
    static func superbox(_ type: ContentType, label: String, children: [[UInt8]]) -> [UInt8] {
        box("jumb", description(type, label: label) + children.flatMap { $0 })
    }

    /// A superbox holding one CBOR content box.
    static func cborSuperbox(_ type: ContentType, label: String, _ value: CBOR) -> [UInt8] {
        superbox(type, label: label, children: [box("cbor", value.encoded())])
    }

    /// What C2PA hashes to refer to a superbox: its contents without the superbox's own 8-byte header.
    static func hashedContents(of superbox: [UInt8]) -> ArraySlice<UInt8> { superbox[8...] }
}
