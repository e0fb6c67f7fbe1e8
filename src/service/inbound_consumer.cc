#include "service/inbound_consumer.h"

#include <exception>

#include "common/logging.h"

namespace chatshop::service {

InboundConsumer::InboundConsumer(InboundProcessor& processor, ParkingPolicy& parking)
    : processor_(processor), parking_(parking), log_(common::GetLogger("worker")) {}

DeliveryAction InboundConsumer::Consume(const QueueDelivery& delivery) {
  auto json = nlohmann::json::parse(delivery.body, nullptr, /*allow_exceptions=*/false);
  auto event = whatsapp::InboundEvent::FromJson(json);
  if (!event) return parking_.Park(delivery, "unreadable event: " + event.error().message);
  Handling outcome;
  try {
    outcome = processor_.Handle(*event);
  } catch (const std::exception& e) {
    outcome = {Disposition::kDeadLetter, std::string("handler failed: ") + e.what()};
  }
  switch (outcome.disposition) {
    case Disposition::kAck:
      return DeliveryAction::kAck;
    case Disposition::kRetry:
      log_->warn("will retry id={}: {}", delivery.message_id, outcome.reason);
      return DeliveryAction::kRetry;
    case Disposition::kDeadLetter:
      return parking_.Park(delivery, outcome.reason);
  }
  return DeliveryAction::kRetry;
}

}  // namespace chatshop::service
