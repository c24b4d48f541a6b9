import Testing
import PhimCore
import PhimMedia
