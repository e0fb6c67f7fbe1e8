#include "infra/queue_parking_lot.h"

namespace chatshop::infra {

Status QueueParkingLot::Park(const service::ParkedMessage& message) {
  const webhook::QueueMessage parked{webhook::QueueMessage::Route::kParked, 0, message.message_id,
                                     message.reason, message.body};
  return queue_.PublishConfirmed({parked});
}

}  // namespace chatshop::infra
