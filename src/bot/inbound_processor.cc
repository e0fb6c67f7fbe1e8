#include "bot/inbound_processor.h"

#include <optional>

#include "bot/engine.h"
#include "common/logging.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot {

using whatsapp::InboundEvent;

std::vector<std::string> WorkerTemplateNames() {
  std::vector<std::string> names = EngineTemplateNames();
  names.push_back("no_catalog");
  return names;
}

InboundProcessor::InboundProcessor(InboundStore& store, CatalogSource* catalogs,
                                   const common::TemplateSet& templates,
                                   common::MetricsRegistry& metrics)
    : store_(store),
      catalogs_(catalogs),
      templates_(templates),
      recorded_(metrics.GetCounter("chatshop_inbound_messages_total",
                                   "Customer messages recorded with their replies")),
      duplicates_(metrics.GetCounter("chatshop_inbound_duplicates_total",
                                     "Redelivered messages recognised by wamid and skipped")),
      unknown_shop_(metrics.GetCounter("chatshop_inbound_unknown_shop_total",
                                       "Messages for a phone_number_id no shop owns")),
      not_yet_handled_(metrics.GetCounter("chatshop_inbound_unhandled_kinds_total",
                                          "Statuses and errors acknowledged without processing")),
      log_(common::GetLogger("worker")) {}

const OrderParser& InboundProcessor::ParserFor(int64_t shop_id, const orders::Catalog& catalog) {
  auto& parser = parsers_[shop_id];
  if (!parser || parser->catalog() != catalog) parser = std::make_unique<OrderParser>(catalog);
  return *parser;
}

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

  auto retry_or_park = [](const Error& error) {
    return Outcome{IsRetryable(error.code) ? Disposition::kRetry : Disposition::kDeadLetter,
                   error.ToString()};
  };
  orders::Catalog catalog;
  if (catalogs_ != nullptr) {
    auto loaded = catalogs_->CatalogFor(shop->id);
    if (!loaded) return retry_or_park(loaded.error());
    catalog = std::move(*loaded);
  }

  std::vector<nlohmann::json> replies;
  std::optional<ConversationUpdate> update;
  if (catalog.products.empty()) {
    // A shop that has not imported its catalog yet: acknowledge, keep no conversation.
    const nlohmann::json data = {{"shop", shop->name}, {"customer", event.customer_name}};
    replies.push_back(whatsapp::BuildTextMessage(
        event.customer, templates_.Render(shop->locale, "no_catalog", data, &shop->templates)));
  } else {
    auto stored = store_.LoadConversation(shop->id, event.customer);
    if (!stored) return retry_or_park(stored.error());
    const OrderParser& parser = ParserFor(shop->id, catalog);
    const ShopView view{shop->name, &catalog,       &parser,       &templates_,
                        &shop->templates, shop->delivery, shop->locale};
    Transition t = Step(StateFromJson(stored->state), event, view);
    for (const auto& effect : t.effects) replies.push_back(std::get<SendReply>(effect).payload);
    update = ConversationUpdate{StateToJson(t.next), stored->version};
  }
  auto recorded = store_.RecordInbound(event, *shop, replies, update ? &*update : nullptr);
  if (!recorded) return retry_or_park(recorded.error());
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
