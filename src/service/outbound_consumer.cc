#include "service/outbound_consumer.h"

#include <exception>

#include "common/logging.h"

namespace chatshop::service {

OutboundConsumer::OutboundConsumer(OutboundSender& sender)
    : sender_(sender), log_(common::GetLogger("sender")) {}

DeliveryAction OutboundConsumer::Consume(const QueueDelivery& delivery) {
  auto job = OutboundJob::FromJson(
      nlohmann::json::parse(delivery.body, nullptr, /*allow_exceptions=*/false));
  if (!job) {
    log_->error("dropped an unreadable outbound message id={}", delivery.message_id);
    return DeliveryAction::kAck;
  }
  Status handled;
  try {
    handled = sender_.Handle(*job);
  } catch (const std::exception& e) {
    handled = MakeError(ErrorCode::kInternal, std::string("sender failed: ") + e.what());
  }
  if (handled) return DeliveryAction::kAck;
  log_->warn("will retry outbox={}: {}", job->outbox_id, handled.error().message);
  return DeliveryAction::kRetry;
}

}  // namespace chatshop::service
