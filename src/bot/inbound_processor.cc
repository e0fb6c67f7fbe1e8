#include "bot/inbound_processor.h"

#include "common/logging.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot {

using whatsapp::InboundEvent;

std::string AcknowledgementText(const std::string& customer_name, const std::string& shop_name) {
  std::string greeting = customer_name.empty() ? "Namaste!" : "Namaste " + customer_name + "!";
  return greeting + " " + shop_name +
         " has received your message. We will reply here shortly.";
}

InboundProcessor::InboundProcessor(InboundStore& store, common::MetricsRegistry& metrics)
    : store_(store),
      recorded_(metrics.GetCounter("chatshop_inbound_messages_total",
                                   "Customer messages recorded with their replies")),
      duplicates_(metrics.GetCounter("chatshop_inbound_duplicates_total",
                                     "Redelivered messages recognised by wamid and skipped")),
      unknown_shop_(metrics.GetCounter("chatshop_inbound_unknown_shop_total",
                                       "Messages for a phone_number_id no shop owns")),
      not_yet_handled_(metrics.GetCounter("chatshop_inbound_unhandled_kinds_total",
                                          "Statuses and errors acknowledged without processing")),
      log_(common::GetLogger("worker")) {}

Outcome InboundProcessor::Handle(const InboundEvent& event) {
  if (event.kind == InboundEvent::Kind::kMessage) return HandleMessage(event);
  // Delivery statuses and out-of-band errors get their own tables in a later change; for now
  // they are counted and acknowledged so they do not block the customer's queue.
  not_yet_handled_.Increment();
  log_->debug("acknowledged kind={} type={} id={}", whatsapp::KindName(event.kind), event.type,
              event.id);
  return {Disposition::kAck, ""};
}

Outcome InboundProcessor::HandleMessage(const InboundEvent& event) {
  auto shop = store_.FindShopByPhoneNumberId(event.phone_number_id);
  if (!shop) {
    if (shop.error().code == ErrorCode::kNotFound) {
      unknown_shop_.Increment();
      return {Disposition::kDeadLetter, "no shop has phone_number_id " + event.phone_number_id};
    }
    return {IsRetryable(shop.error().code) ? Disposition::kRetry : Disposition::kDeadLetter,
            shop.error().ToString()};
  }

  std::vector<nlohmann::json> replies = {
      whatsapp::BuildTextMessage(event.customer, AcknowledgementText(event.customer_name, shop->name))};
  auto recorded = store_.RecordInbound(event, *shop, replies);
  if (!recorded) {
    return {IsRetryable(recorded.error().code) ? Disposition::kRetry : Disposition::kDeadLetter,
            recorded.error().ToString()};
  }
  if (*recorded) {
    recorded_.Increment();
    log_->info("recorded wamid={} shop={} from={} type={}", event.id, shop->id,
               common::MaskPhone(event.customer), event.type);
  } else {
    duplicates_.Increment();
    log_->info("duplicate wamid={} shop={} skipped", event.id, shop->id);
  }
  return {Disposition::kAck, ""};
}

}  // namespace chatshop::bot
