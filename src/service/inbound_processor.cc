#include "service/inbound_processor.h"

#include <deque>
#include <optional>

#include "bot/engine.h"
#include "bot/owner_engine.h"
#include "common/logging.h"
#include "whatsapp/outbound.h"

namespace chatshop::service {

using bot::ChangeOrder;
using bot::ConversationState;
using bot::Effect;
using bot::OrderChanged;
using bot::OrderPlaced;
using bot::Outcome;
using bot::ShopOwner;
using bot::ShopView;
using bot::Transition;
using whatsapp::InboundEvent;

std::vector<std::string> WorkerTemplateNames() {
  std::vector<std::string> names = bot::EngineTemplateNames();
  for (auto& name : bot::OwnerTemplateNames()) names.push_back(std::move(name));
  names.push_back("no_catalog");
  names.push_back("limit_slow_down");
  return names;
}

ShopView ShopViewOf(const ShopRecord& shop, const common::TemplateSet& templates,
                    int reservation_minutes) {
  ShopView view;
  view.name = shop.name;
  view.templates = &templates;
  view.overrides = &shop.templates;
  view.delivery = shop.delivery;
  view.locale = shop.locale;
  view.payment = shop.payment;
  view.reservation_minutes =
      shop.reservation_minutes > 0 ? shop.reservation_minutes : reservation_minutes;
  view.owners = shop.owners;
  view.notice_templates = shop.notice_templates;
  return view;
}

InboundProcessor::InboundProcessor(InboundStore& store, CatalogSource* catalogs,
                                   const common::TemplateSet& templates,
                                   common::MetricsRegistry& metrics, int reservation_minutes,
                                   CustomerMessageLimiter* limiter, bot::CustomerLimits limits)
    : store_(store),
      catalogs_(catalogs),
      templates_(templates),
      reservation_minutes_(reservation_minutes),
      limiter_(limiter),
      limits_(limits),
      recorded_(metrics.GetCounter("chatshop_inbound_messages_total",
                                   "Customer messages recorded with their replies")),
      duplicates_(metrics.GetCounter("chatshop_inbound_duplicates_total",
                                     "Redelivered messages recognised by wamid and skipped")),
      unknown_shop_(metrics.GetCounter("chatshop_inbound_unknown_shop_total",
                                       "Messages for a phone_number_id no shop owns")),
      not_yet_handled_(metrics.GetCounter("chatshop_inbound_unhandled_kinds_total",
                                          "Statuses and errors acknowledged without processing")),
      statuses_(metrics.GetCounter("chatshop_inbound_statuses_total",
                                   "Delivery statuses of sent messages recorded")),
      rate_limited_(metrics.GetCounter(
          "chatshop_inbound_rate_limited_total",
          "Customer messages beyond [limits] customer_messages_per_minute, kept unanswered")),
      limiter_unavailable_(metrics.GetCounter(
          "chatshop_inbound_limiter_unavailable_total",
          "Customer messages admitted unchecked because the rate limiter was unreachable")),
      log_(common::GetLogger("worker")) {}

const bot::OrderParser& InboundProcessor::ParserFor(int64_t shop_id,
                                                    const orders::Catalog& catalog) {
  auto& parser = parsers_[shop_id];
  if (!parser || parser->catalog() != catalog) parser = std::make_unique<bot::OrderParser>(catalog);
  return *parser;
}

Handling InboundProcessor::Handle(const InboundEvent& event) {
  if (event.kind == InboundEvent::Kind::kMessage) return HandleMessage(event);
  if (event.kind == InboundEvent::Kind::kStatus && event.subtype.empty())
    return HandleStatus(event);
  // Out-of-band errors and payment statuses are counted and acknowledged so that they do not
  // block the customer's queue.
  not_yet_handled_.Increment();
  log_->debug("acknowledged kind={} type={} id={}", whatsapp::KindName(event.kind), event.type,
              event.id);
  return {Disposition::kAck, ""};
}

namespace {

// "131026 Message undeliverable; …" from a failed status's errors (docs/cloud-api.md §4).
std::string FailureSummary(const nlohmann::json& status) {
  std::string summary;
  if (status.is_object() && status.contains("errors") && status["errors"].is_array()) {
    for (const auto& error : status["errors"]) {
      if (!error.is_object()) continue;
      if (!summary.empty()) summary += "; ";
      const auto code = error.find("code");
      if (code != error.end() && code->is_number_integer())
        summary += std::to_string(code->get<int64_t>()) + " ";
      const auto title = error.find("title");
      if (title != error.end() && title->is_string()) summary += title->get<std::string>();
    }
  }
  return summary.empty() ? "no error details" : summary;
}

}  // namespace

Handling InboundProcessor::HandleStatus(const InboundEvent& status) {
  auto shop = store_.FindShopByPhoneNumberId(status.phone_number_id);
  if (!shop) {
    if (shop.error().code == ErrorCode::kNotFound) {
      unknown_shop_.Increment();
      return {Disposition::kAck, ""};
    }
    return {Disposition::kRetry, shop.error().message};
  }
  const ShopView view = ShopViewOf(*shop, templates_, reservation_minutes_);
  auto changed = store_.RecordStatus(
      status, *shop,
      [&](int64_t order_number, const std::string& customer, const std::string& error) {
        std::vector<nlohmann::json> out;
        for (const auto& owner : shop->owners) {
          out.push_back(bot::NoticeFailedReport(order_number, customer, error, owner, view));
        }
        return out;
      });
  if (!changed) return {Disposition::kRetry, changed.error().message};
  statuses_.Increment();
  if (status.type == "failed") {
    // The status object names the recipient (recipient_id) and Meta's texts may too: only the
    // error codes and titles are logged, with any phone number in them masked.
    log_->warn("message {} to {} failed: {}", status.id, common::MaskPhone(status.customer),
               common::MaskPhonesIn(FailureSummary(status.data)));
  }
  return {Disposition::kAck, ""};
}

namespace {

// Replies of a list of effects; the rest are handed to `apply`, whose outcome's effects are
// handled the same way, in order.
template <typename Apply>
Status RunEffects(std::vector<Effect> effects, std::vector<nlohmann::json>& replies, Apply apply) {
  std::deque<Effect> pending(effects.begin(), effects.end());
  while (!pending.empty()) {
    Effect effect = std::move(pending.front());
    pending.pop_front();
    if (auto* reply = std::get_if<bot::SendReply>(&effect)) {
      replies.push_back(std::move(reply->payload));
      continue;
    }
    auto more = apply(effect);
    if (!more) return tl::unexpected(more.error());
    pending.insert(pending.begin(), more->begin(), more->end());
  }
  return Ok();
}

}  // namespace

Result<Decision> InboundProcessor::DecideForCustomer(const InboundEvent& event,
                                                     const ShopRecord& shop, ShopView view,
                                                     OrderLedger& ledger,
                                                     const nlohmann::json& stored_state) {
  ConversationState state = bot::StateFromJson(stored_state);
  std::optional<orders::OrderView> order;
  if (state.order_id != 0) {
    auto found = ledger.FindOrder(shop.id, state.order_id);
    if (!found) return tl::unexpected(found.error());
    order = *found;
  }
  view.order = order ? &*order : nullptr;

  Decision decision;
  Transition t = bot::Step(state, whatsapp::Classify(event), view);
  state = std::move(t.next);
  auto apply = [&](const Effect& effect) -> Result<std::vector<Effect>> {
    Result<Outcome> outcome = MakeError(ErrorCode::kInternal, "no outcome");
    if (const auto* place = std::get_if<bot::PlaceOrder>(&effect)) {
      const orders::Bill bill = orders::MakeBill(place->lines, *view.catalog, view.delivery);
      OrderRequest request{shop.id,
                           event.customer,
                           {},
                           bill.subtotal,
                           bill.delivery,
                           bill.total,
                           view.delivery,
                           view.reservation_minutes,
                           view.limits.held_units_max,
                           view.limits.held_value_max};
      for (const auto& line : bill.lines) {
        request.lines.push_back(
            {line.product->sku, line.product->name, line.qty, line.product->price});
      }
      outcome = ledger.PlaceOrder(request);
    } else if (const auto* change = std::get_if<ChangeOrder>(&effect)) {
      outcome = ledger.Apply(shop.id, *change, event.customer, view.reservation_minutes);
    } else if (const auto* proof = std::get_if<bot::RecordProof>(&effect)) {
      auto recorded = ledger.RecordPaymentProof(proof->order_id, *proof, event.id);
      if (!recorded) return tl::unexpected(recorded.error());
      if (!*recorded) {
        outcome = Outcome{bot::ProofLimitReached{proof->order_id, proof->max_per_order}};
      } else {
        ChangeOrder submit{proof->order_id,          0, "", orders::OrderAction::kSubmitProof,
                           orders::Actor::kCustomer, ""};
        outcome = ledger.Apply(shop.id, submit, event.customer, view.reservation_minutes);
      }
    } else {
      return std::vector<Effect>{};  // customers cannot set stock
    }
    if (!outcome) return tl::unexpected(outcome.error());
    Transition after = bot::Resume(state, *outcome, {event.customer, event.customer_name}, view);
    state = std::move(after.next);
    return std::move(after.effects);
  };
  if (auto done = RunEffects(std::move(t.effects), decision.replies, apply); !done) {
    return tl::unexpected(done.error());
  }
  decision.state = bot::StateToJson(state).dump();
  return decision;
}

Result<Decision> InboundProcessor::DecideForOwner(const InboundEvent& event, const ShopOwner& owner,
                                                  const ShopRecord& shop, const ShopView& view,
                                                  OrderLedger& ledger) {
  auto open = ledger.OpenOrders(shop.id, 20);
  if (!open) return tl::unexpected(open.error());
  const bot::OwnerView owner_view{&view, owner, std::move(*open)};
  Decision decision;
  auto apply = [&](const Effect& effect) -> Result<std::vector<Effect>> {
    Result<Outcome> outcome = MakeError(ErrorCode::kInternal, "no outcome");
    if (const auto* change = std::get_if<ChangeOrder>(&effect)) {
      outcome = ledger.Apply(shop.id, *change, owner.phone, view.reservation_minutes);
    } else if (const auto* stock = std::get_if<bot::SetStock>(&effect)) {
      outcome = ledger.UpdateStock(shop.id, *stock);
    } else {
      return std::vector<Effect>{};
    }
    if (!outcome) return tl::unexpected(outcome.error());
    return bot::OwnerResume(*outcome, owner_view);
  };
  if (auto done = RunEffects(bot::OwnerStep(whatsapp::Classify(event), owner_view),
                             decision.replies, apply);
      !done) {
    return tl::unexpected(done.error());
  }
  return decision;  // owners keep no conversation state
}

namespace {

// The stored conversation document as the engine reads it: null when there is none or it is
// not JSON (the engine then starts afresh).
nlohmann::json StoredState(const std::string& document) {
  if (document.empty()) return nlohmann::json();
  return nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

std::optional<Admission> InboundProcessor::Refusal(const InboundEvent& event,
                                                   const ShopRecord& shop) {
  if (limiter_ == nullptr) return std::nullopt;
  auto admission = limiter_->Admit(shop.id, event.customer, event.id, limits_.messages_per_minute,
                                   std::chrono::minutes(1));
  if (!admission) {
    limiter_unavailable_.Increment();
    log_->warn("rate limiter unavailable, message admitted wamid={} shop={}: {}", event.id, shop.id,
               admission.error().message);
    return std::nullopt;
  }
  if (admission->admitted) return std::nullopt;
  return *admission;
}

InboundStore::Decide InboundProcessor::DecisionFor(const InboundEvent& event,
                                                   const ShopRecord& shop, const ShopOwner* owner,
                                                   const std::optional<Admission>& refused,
                                                   const orders::Catalog& catalog) {
  const auto customer_name = [&event] {
    return event.customer_name.empty() ? nlohmann::json(false)
                                       : nlohmann::json(event.customer_name);
  };
  if (refused) {
    // Kept (the inbox row dedupes it and says why it went unanswered), not run: one short
    // answer a minute, in the customer's language, and nothing else.
    return [&, customer_name](OrderLedger&, const std::string& stored) -> Result<Decision> {
      Decision decision;
      decision.rate_limited = true;
      if (refused->tell) {
        const ShopView view = ShopViewOf(shop, templates_, reservation_minutes_);
        const nlohmann::json data = {{"shop", shop.name},
                                     {"per_minute", limits_.messages_per_minute},
                                     {"customer", customer_name()}};
        decision.replies.push_back(whatsapp::BuildTextMessage(
            event.customer,
            templates_.Render(bot::ReplyLocale(bot::StateFromJson(StoredState(stored)), view),
                              "limit_slow_down", data, &shop.templates)));
      }
      return decision;
    };
  }
  if (catalog.products.empty() && owner == nullptr) {
    // A shop that has not imported its catalog yet: acknowledge, keep no conversation.
    return [&, customer_name](OrderLedger&, const std::string&) -> Result<Decision> {
      const nlohmann::json data = {{"shop", shop.name}, {"customer", customer_name()}};
      Decision decision;
      decision.replies.push_back(whatsapp::BuildTextMessage(
          event.customer, templates_.Render(shop.locale, "no_catalog", data, &shop.templates)));
      return decision;
    };
  }
  ShopView view = ShopViewOf(shop, templates_, reservation_minutes_);
  view.limits = limits_;
  view.catalog = &catalog;
  view.parser = &ParserFor(shop.id, catalog);
  return [&, owner, view](OrderLedger& ledger, const std::string& stored) -> Result<Decision> {
    if (owner != nullptr) return DecideForOwner(event, *owner, shop, view, ledger);
    return DecideForCustomer(event, shop, view, ledger, StoredState(stored));
  };
}

Handling InboundProcessor::HandleMessage(const InboundEvent& event) {
  auto shop = store_.FindShopByPhoneNumberId(event.phone_number_id);
  if (!shop) {
    if (shop.error().code == ErrorCode::kNotFound) {
      unknown_shop_.Increment();
      return {Disposition::kDeadLetter, "no shop has phone_number_id " + event.phone_number_id};
    }
    return {IsRetryable(shop.error().code) ? Disposition::kRetry : Disposition::kDeadLetter,
            shop.error().ToString()};
  }
  if (shop->disabled) {
    // Kept (parked with the reason), not answered: an admin switched the shop off.
    return {Disposition::kDeadLetter, "shop " + event.phone_number_id + " is disabled"};
  }

  auto retry_or_park = [](const Error& error) {
    return Handling{IsRetryable(error.code) ? Disposition::kRetry : Disposition::kDeadLetter,
                    error.ToString()};
  };
  orders::Catalog catalog;
  if (catalogs_ != nullptr) {
    auto loaded = catalogs_->CatalogFor(shop->id, shop->catalog_version);
    if (!loaded) return retry_or_park(loaded.error());
    catalog = std::move(*loaded);
  }

  const ShopOwner* owner = shop->Owner(event.customer);
  const std::optional<Admission> refused =
      owner == nullptr ? Refusal(event, *shop) : std::nullopt;  // owners are never limited
  const InboundStore::Decide decide = DecisionFor(event, *shop, owner, refused, catalog);
  auto recorded = store_.Handle(event, *shop, decide);
  if (!recorded) return retry_or_park(recorded.error());
  if (*recorded && refused) {
    rate_limited_.Increment();
    log_->info("rate limited wamid={} shop={} from={}{}", event.id, shop->id,
               common::MaskPhone(event.customer), refused->tell ? " told" : "");
  } else if (*recorded) {
    recorded_.Increment();
    log_->info("recorded wamid={} shop={} from={} type={}{}", event.id, shop->id,
               common::MaskPhone(event.customer), event.type, owner != nullptr ? " owner" : "");
  } else {
    duplicates_.Increment();
    log_->info("duplicate wamid={} shop={} skipped", event.id, shop->id);
  }
  return {Disposition::kAck, ""};
}

}  // namespace chatshop::service
