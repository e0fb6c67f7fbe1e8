#pragma once
// The sample kirana shop, its catalog and the shipped templates, for tests that drive the
// customer and owner engines without any server.

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bot/engine.h"
#include "bot/owner_engine.h"
#include "support/fixtures.h"
#include "whatsapp/inbound_message.h"

namespace chatshop::bot {

using nlohmann::json;
using Stage = ConversationState::Stage;

// The tests speak the wire: their events are InboundEvents as the queue carries them, and are
// classified the way the worker does it before they reach the engines.
inline Transition Step(const ConversationState& state, const whatsapp::InboundEvent& event,
                       const ShopView& shop) {
  return Step(state, whatsapp::Classify(event), shop);
}
inline Transition Resume(const ConversationState& state, const Outcome& outcome,
                         const whatsapp::InboundEvent& event, const ShopView& shop) {
  return Resume(state, outcome, whatsapp::Sender{event.customer, event.customer_name}, shop);
}
inline std::vector<Effect> OwnerStep(const whatsapp::InboundEvent& event, const OwnerView& view) {
  return OwnerStep(whatsapp::Classify(event), view);
}

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    std::ifstream in(std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv");
    std::ostringstream text;
    text << in.rdbuf();
    catalog_ = orders::ParseCatalogCsv(text.str()).catalog;
    parser_ = std::make_unique<OrderParser>(catalog_);
    shop_.name = "Sharma Kirana";
    shop_.catalog = &catalog_;
    shop_.parser = parser_.get();
    shop_.templates = &Templates();
    shop_.delivery = {orders::Money{3000}, orders::Money{50000}};
  }

  // The shipped templates, as the worker loads them.
  static const common::TemplateSet& Templates() {
    static const common::TemplateSet set = [] {
      auto loaded =
          common::TemplateSet::Load(CHATSHOP_DEFAULT_TEMPLATES_DIR, EngineTemplateNames());
      EXPECT_TRUE(loaded) << loaded.error().message;
      return loaded ? *loaded : common::TemplateSet{};
    }();
    return set;
  }

  // A state with this cart, at the stage a cart has.
  static ConversationState CartOf(std::vector<CartLine> cart) {
    ConversationState state;
    state.stage = Stage::kCart;
    state.cart = std::move(cart);
    return state;
  }

  // The rows of a list message.
  static json RowsOf(const json& payload) {
    EXPECT_EQ(payload["interactive"]["type"], "list") << payload.dump();
    json rows = json::array();
    for (const auto& section : payload["interactive"]["action"]["sections"]) {
      for (const auto& row : section["rows"]) rows.push_back(row);
    }
    return rows;
  }
  static std::vector<std::string> RowIds(const json& payload) {
    std::vector<std::string> ids;
    for (const auto& row : RowsOf(payload)) ids.push_back(row["id"]);
    return ids;
  }
  static json ReplyAt(const Transition& t, size_t i) {
    EXPECT_GT(t.effects.size(), i);
    return i < t.effects.size() ? std::get<SendReply>(t.effects[i]).payload : json();
  }
  // An order of two Maggi as the database would return it, awaiting payment.
  static orders::OrderView AnOrder(int64_t number) {
    orders::OrderView order;
    order.id = 7;
    order.number = number;
    order.customer = "919876543210";
    order.lines = {{"MAGGI-70", "Maggi 2-Minute Noodles 70g", 2, orders::Money{1400}}};
    order.subtotal = orders::Money{2800};
    order.delivery = orders::Money{3000};
    order.total = orders::Money{5800};
    order.nonce = "n0nce";
    return order;
  }
  // The state and view of a customer whose order `order` is in `status`.
  std::pair<ConversationState, ShopView> WithOrder(orders::OrderView& order,
                                                   orders::OrderStatus status) {
    order.status = status;
    ConversationState state;
    state.order_id = order.id;
    ShopView view = shop_;
    view.order = &order;
    return {state, view};
  }
  static bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  static whatsapp::InboundEvent Message(const std::string& type, json data) {
    whatsapp::InboundEvent e;
    e.kind = whatsapp::InboundEvent::Kind::kMessage;
    e.phone_number_id = "106540352242922";
    e.customer = "919876543210";
    e.id = "wamid.T";
    e.type = type;
    e.data = std::move(data);
    return e;
  }
  static whatsapp::InboundEvent Text(const std::string& body) {
    return Message("text", {{"body", body}});
  }
  // A text that replies to (quotes) one of our messages.
  static whatsapp::InboundEvent Quoting(const std::string& body) {
    auto e = Text(body);
    e.raw = {{"context", {{"from", "15550001111"}, {"id", "wamid.BILL"}}}, {"type", "text"}};
    return e;
  }
  static whatsapp::InboundEvent Pick(const std::string& id) {
    return Message("interactive",
                   {{"type", "list_reply"}, {"list_reply", {{"id", id}, {"title", "x"}}}});
  }
  static whatsapp::InboundEvent Button(const std::string& id) {
    return Message("interactive",
                   {{"type", "button_reply"}, {"button_reply", {{"id", id}, {"title", "x"}}}});
  }

  // The one reply of a transition, as its Graph API body.
  static json OnlyReply(const Transition& t) {
    EXPECT_EQ(t.effects.size(), 1u);
    return std::get<SendReply>(t.effects.at(0)).payload;
  }
  static std::string BodyOf(const json& payload) {
    if (payload["type"] == "text") return payload["text"]["body"];
    return payload["interactive"]["body"]["text"];
  }

  orders::Catalog catalog_;
  std::unique_ptr<OrderParser> parser_;
  ShopView shop_;
};

}  // namespace chatshop::bot
