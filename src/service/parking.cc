#include "service/parking.h"

#include "common/logging.h"

namespace chatshop::service {

ParkingPolicy::ParkingPolicy(ParkingLot& lot) : lot_(lot), log_(common::GetLogger("worker")) {}

DeliveryAction ParkingPolicy::Park(const QueueDelivery& delivery, const std::string& reason) {
  ParkedMessage parked{delivery.message_id, reason, delivery.body};
  auto published = lot_.Park(parked);
  if (!published && !IsRetryable(published.error().code)) {
    log_->error("parking id={} refused ({}): parking it without its id", delivery.message_id,
                published.error().message);
    parked.message_id.clear();
    published = lot_.Park(parked);
  }
  if (!published) {
    log_->error("cannot park message id={}: {}", delivery.message_id, published.error().message);
    return DeliveryAction::kRetry;
  }
  log_->warn("parked message id={} reason=\"{}\"", delivery.message_id, reason);
  return DeliveryAction::kAck;
}

}  // namespace chatshop::service
