import Foundation
import ImagoRTMP
import NIOConcurrencyHelpers

/// A delegate that accepts (or rejects) publishes and records everything a session reports.
final class RecordingIngestDelegate: RTMPIngestDelegate {
    struct Recorded {
        var requests: [RTMPPublishRequest] = []
        var events: [RTMPPublisherEvent] = []
        var ends: [RTMPPublishEndReason] = []
    }

    private let decision: RTMPPublishDecision
    private let box = NIOLockedValueBox(Recorded())

    init(decision: RTMPPublishDecision = .accept) {
        self.decision = decision
    }

    var recorded: Recorded { box.withLockedValue { $0 } }

    func publishRequested(_ request: RTMPPublishRequest) -> RTMPPublishDecision {
        box.withLockedValue { $0.requests.append(request) }
        return decision
    }

    func publisher(_ id: RTMPPublisherID, didReceive event: RTMPPublisherEvent) {
        box.withLockedValue { $0.events.append(event) }
    }

    func publisherDidEnd(_ id: RTMPPublisherID, reason: RTMPPublishEndReason) {
        box.withLockedValue { $0.ends.append(reason) }
    }
}

/// A connection control that only remembers that it was asked to close.
final class RecordingConnectionControl: RTMPConnectionControl {
    private let reasons = NIOLockedValueBox<[String]>([])
    var closeReasons: [String] { reasons.withLockedValue { $0 } }
    func close(reason: String) { reasons.withLockedValue { $0.append(reason) } }
}
