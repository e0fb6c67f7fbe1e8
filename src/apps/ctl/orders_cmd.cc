// `chatshopctl orders …`: an admin's view of a shop's orders, moving them with the owner's
// rules (the customer is told, as when the owner does it).
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "apps/ctl/commands.h"
#include "apps/ctl/ctl_common.h"
#include "apps/program.h"
#include "apps/wiring.h"
#include "bot/engine.h"
#include "infra/pg_inbound_store.h"
#include "infra/pg_order_admin.h"
#include "orders/money.h"
#include "service/inbound_processor.h"

namespace chatshop::ctl {
namespace {

using nlohmann::json;

std::string Rupees(int64_t minor) { return orders::Money{minor}.ToRupeeText(); }

int OrdersList(const common::Config& config, const std::string& shop, const std::string& status,
               const std::string& since, bool as_json) {
  if (!status.empty() && !orders::StatusFromName(status)) {
    std::cerr << "chatshopctl: --status: one of awaiting_payment, payment_review, confirmed, "
                 "packed, out_for_delivery, delivered, cancelled\n";
    return 1;
  }
  auto shop_id = ShopId(config, shop);
  if (!shop_id) return 1;
  auto list =
      infra::PgOrderAdmin(apps::PostgresReadUrlOf(config)).List(*shop_id, status, since, 500);
  if (!list) return Fail(list.error());
  if (as_json) {
    json out = json::array();
    for (const auto& o : *list) {
      out.push_back({{"number", o.number},
                     {"status", o.status},
                     {"customer", o.customer},
                     {"total_minor", o.total_minor},
                     {"payment_method", o.payment_method},
                     {"created_at", o.created_at},
                     {"updated_at", o.updated_at}});
    }
    std::cout << out.dump() << "\n";
    return 0;
  }
  if (list->empty()) {
    std::cout << "no orders\n";
    return 0;
  }
  std::printf("%-7s %-17s %-15s %14s %-4s %-21s\n", "ORDER", "STATUS", "CUSTOMER", "TOTAL", "PAY",
              "CREATED (UTC)");
  for (const auto& o : *list) {
    std::printf("#%-6lld %-17s +%-14s %14s %-4s %-21s\n", static_cast<long long>(o.number),
                o.status.c_str(), o.customer.c_str(), Rupees(o.total_minor).c_str(),
                o.payment_method.c_str(), o.created_at.c_str());
  }
  return 0;
}

int OrdersShow(const common::Config& config, const std::string& shop, int64_t number,
               bool as_json) {
  auto shop_id = ShopId(config, shop);
  if (!shop_id) return 1;
  auto order = infra::PgOrderAdmin(apps::PostgresReadUrlOf(config)).Show(*shop_id, number);
  if (!order) return Fail(order.error());
  if (as_json) {
    std::cout << order->dump() << "\n";
    return 0;
  }
  const json& o = *order;
  std::cout << "Order #" << number << " — " << o["status"].get<std::string>() << ", customer +"
            << o["customer"].get<std::string>() << "\n";
  for (const auto& line : o["lines"]) {
    std::cout << "  " << line.value("qty", int64_t{0}) << " × " << line.value("name", std::string())
              << " (" << line.value("sku", std::string()) << ") @ "
              << Rupees(line.value("unit_price", int64_t{0})) << "\n";
  }
  std::cout << "  total " << Rupees(o["total_minor"].get<int64_t>())
            << (o["payment_method"].is_string()
                    ? ", paid by " + o["payment_method"].get<std::string>()
                    : "")
            << (o["reason"].is_string() ? ", reason: " + o["reason"].get<std::string>() : "")
            << "\n";
  std::cout << "Events:\n";
  for (const auto& e : o["events"]) {
    std::cout << "  " << e["at"].get<std::string>() << "  "
              << (e["from"].is_string() ? e["from"].get<std::string>() : "(new)") << " → "
              << e["to"].get<std::string>() << "  by " << e["actor"].get<std::string>()
              << (e["reason"].is_string() ? "  (" + e["reason"].get<std::string>() + ")" : "")
              << "\n";
  }
  for (const auto& p : o["payment_proofs"]) {
    std::cout << "Payment proof: " << p["status"].get<std::string>() << " "
              << (p["path"].is_string() ? p["path"].get<std::string>() : "(not fetched)") << "\n";
  }
  return 0;
}

// `orders advance N STATUS` and `orders cancel N REASON`: the owner's action for it.
int OrdersMove(const common::Config& config, const std::string& shop, int64_t number,
               orders::OrderAction action, const std::string& reason) {
  infra::PgInboundStore shops(config.postgres.url);
  auto record = shops.FindShopByPhoneNumberId(shop);
  if (!record) {
    std::cerr << "chatshopctl: no shop has phone_number_id " << shop << "\n";
    return record.error().code == ErrorCode::kUnavailable ? 2 : 1;
  }
  const auto templates =
      apps::LoadTemplatesOrExit(config, service::WorkerTemplateNames(), "chatshopctl");
  const bot::ShopView view =
      service::ShopViewOf(*record, templates, config.orders.reservation_minutes);
  bot::ChangeOrder change;
  change.order_number = number;
  change.action = action;
  change.actor = orders::Actor::kOwner;
  change.reason = reason;
  auto outcome = infra::PgOrderAdmin(config.postgres.url)
                     .Change(record->id, change, config.orders.reservation_minutes,
                             [&](const bot::Outcome& o) {
                               std::vector<json> out;
                               if (const auto* moved = std::get_if<bot::OrderChanged>(&o)) {
                                 out = bot::CustomerNotices(moved->order, action, view);
                               }
                               return out;
                             });
  if (!outcome) return Fail(outcome.error());
  if (const auto* moved = std::get_if<bot::OrderChanged>(&*outcome)) {
    std::cout << "order #" << number << ": " << orders::StatusName(moved->from) << " → "
              << orders::StatusName(moved->order.status) << "; the customer is told\n";
    // Stock a cancellation puts back bumped the shop's catalog_version in the same
    // transaction: the workers' next reply reads past any cached catalog.
    return 0;
  }
  const auto* unchanged = std::get_if<bot::OrderUnchanged>(&*outcome);
  if (unchanged == nullptr || !unchanged->order) {
    std::cerr << "chatshopctl: the shop has no order #" << number << "\n";
    return 1;
  }
  std::cerr << "chatshopctl: order #" << number << " is "
            << orders::StatusName(unchanged->order->status) << ": that is not possible now\n";
  return 1;
}

// `orders advance N STATUS`: the owner's action that moves the order to STATUS.
int OrdersAdvance(const common::Config& config, const std::string& shop, int64_t number,
                  const std::string& target) {
  static const std::map<std::string, orders::OrderAction> kTo = {
      {"confirmed", orders::OrderAction::kApprove},
      {"packed", orders::OrderAction::kPack},
      {"out_for_delivery", orders::OrderAction::kDispatch},
      {"delivered", orders::OrderAction::kDeliver}};
  auto it = kTo.find(target);
  if (it == kTo.end()) {
    std::cerr << "chatshopctl: STATUS: confirmed, packed, out_for_delivery or delivered "
                 "(cancel with `orders cancel N REASON`)\n";
    return 1;
  }
  return OrdersMove(config, shop, number, it->second, "");
}

}  // namespace

void AddOrderCommands(CLI::App& cli, CommandTable& table) {
  auto* cmd = cli.add_subcommand("orders", "a shop's orders");
  cmd->require_subcommand(1);
  struct ListOptions {
    std::string phone_number_id, status, since;
    bool json = false;
  };
  auto list_options = std::make_shared<ListOptions>();
  auto* list = cmd->add_subcommand("list", "orders, newest first");
  AddShopOption(list, list_options->phone_number_id);
  list->add_option("--status", list_options->status,
                   "only this status (awaiting_payment, confirmed, …)");
  list->add_option("--since", list_options->since,
                   "created at or after (2026-12-01, or an ISO 8601 time)");
  list->add_flag("--json", list_options->json, "JSON for scripts");
  table.Add(list, [o = list_options](const common::Config& config) {
    return OrdersList(config, o->phone_number_id, o->status, o->since, o->json);
  });
  struct OrderOptions {
    std::string phone_number_id, target, reason;
    int64_t number = 0;
    bool json = false;
  };
  auto show_options = std::make_shared<OrderOptions>();
  auto* show = cmd->add_subcommand("show", "an order's lines, events and payment proof");
  AddShopOption(show, show_options->phone_number_id);
  show->add_option("number", show_options->number, "the order's number, like 1042")->required();
  show->add_flag("--json", show_options->json, "JSON for scripts");
  table.Add(show, [o = show_options](const common::Config& config) {
    return OrdersShow(config, o->phone_number_id, o->number, o->json);
  });
  auto advance_options = std::make_shared<OrderOptions>();
  auto* advance = cmd->add_subcommand("advance", "move an order on, as its owner would");
  AddShopOption(advance, advance_options->phone_number_id);
  advance->add_option("number", advance_options->number, "the order's number")->required();
  advance
      ->add_option("status", advance_options->target,
                   "confirmed, packed, out_for_delivery or delivered")
      ->required();
  table.Add(advance, [o = advance_options](const common::Config& config) {
    return OrdersAdvance(config, o->phone_number_id, o->number, o->target);
  });
  auto cancel_options = std::make_shared<OrderOptions>();
  auto* cancel =
      cmd->add_subcommand("cancel", "cancel an order (its stock goes back), as its owner would");
  AddShopOption(cancel, cancel_options->phone_number_id);
  cancel->add_option("number", cancel_options->number, "the order's number")->required();
  cancel->add_option("reason", cancel_options->reason, "told to the customer")->required();
  table.Add(cancel, [o = cancel_options](const common::Config& config) {
    return OrdersMove(config, o->phone_number_id, o->number, orders::OrderAction::kCancel,
                      o->reason);
  });
}

}  // namespace chatshop::ctl
