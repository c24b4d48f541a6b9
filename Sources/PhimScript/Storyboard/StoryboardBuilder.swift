import Foundation
import PhimCore
