#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "common/result.h"
#include "orders/order.h"
#include "service/ports/shop_record.h"

namespace chatshop::service {

// Orders the clock moves: reservations that lapsed unpaid, payments waiting too long for the
// owner. Safe to use from several processes at once; one instance per thread.
class OrderClockStore {
 public:
  virtual ~OrderClockStore() = default;
  using Notices = std::function<std::vector<nlohmann::json>(const ShopRecord& shop,
                                                            const orders::OrderView& order)>;

  // In one transaction: takes one order whose reservation lapsed (none another worker holds),
  // cancels it (reason "payment timeout"; stock back on the shelf, an order_events row) and
  // queues `notices` for it. The order as cancelled, or nullopt when none is due.
  [[nodiscard]] virtual Result<std::optional<orders::OrderView>> ExpireOne(
      int hold_minutes, const Notices& notices) = 0;
  // In one transaction: takes one order whose payment proof has waited `minutes` for the
  // owner and was never reminded of, marks it reminded and queues `notices`.
  [[nodiscard]] virtual Result<std::optional<orders::OrderView>> RemindOne(
      int minutes, const Notices& notices) = 0;
};

}  // namespace chatshop::service
