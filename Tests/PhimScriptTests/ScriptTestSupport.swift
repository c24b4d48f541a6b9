import Testing
@testable import PhimScript
