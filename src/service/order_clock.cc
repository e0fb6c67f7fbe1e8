#include "service/order_clock.h"

#include "bot/owner_engine.h"
#include "common/logging.h"
#include "service/inbound_processor.h"

namespace chatshop::service {

OrderClock::OrderClock(OrderClockStore& store, const common::TemplateSet& templates,
                       int reservation_minutes, int review_reminder_minutes,
                       common::MetricsRegistry& metrics)
    : store_(store),
      templates_(templates),
      reservation_minutes_(reservation_minutes),
      review_reminder_minutes_(review_reminder_minutes),
      expired_(metrics.GetCounter("chatshop_orders_expired_total",
                                  "Orders cancelled because the payment did not arrive in time")),
      reminded_(metrics.GetCounter("chatshop_orders_review_reminders_total",
                                   "Owners reminded of a payment waiting for review")),
      log_(common::GetLogger("orders")) {}

Result<int> OrderClock::Tick() {
  int handled = 0;
  const auto expiry_notices = [&](const ShopRecord& shop, const orders::OrderView& order) {
    return bot::CustomerNotices(order, orders::OrderAction::kExpire,
                                ShopViewOf(shop, templates_, reservation_minutes_));
  };
  for (;;) {
    auto expired = store_.ExpireOne(reservation_minutes_, expiry_notices);
    if (!expired) return tl::unexpected(expired.error());
    if (!*expired) break;
    ++handled;
    expired_.Increment();
    log_->info("order expired order={} number={} customer={}", (*expired)->id, (*expired)->number,
               common::MaskPhone((*expired)->customer));
  }
  const auto reminders = [&](const ShopRecord& shop, const orders::OrderView& order) {
    std::vector<nlohmann::json> out;
    const bot::ShopView view = ShopViewOf(shop, templates_, reservation_minutes_);
    for (const auto& owner : shop.owners) out.push_back(bot::ReviewReminder(order, owner, view));
    return out;
  };
  for (;;) {
    auto reminded = store_.RemindOne(review_reminder_minutes_, reminders);
    if (!reminded) return tl::unexpected(reminded.error());
    if (!*reminded) break;
    ++handled;
    reminded_.Increment();
    log_->info("owner reminded order={} number={}", (*reminded)->id, (*reminded)->number);
  }
  return handled;
}

}  // namespace chatshop::service
