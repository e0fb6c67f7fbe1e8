#include "bot/engine.h"

#include <algorithm>
#include <map>
#include <set>

#include "bot/text.h"
#include "whatsapp/json_fields.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot {
namespace {

using whatsapp::InboundEvent;
using Stage = ConversationState::Stage;

const std::set<std::string>& Greetings() {
  static const std::set<std::string> words = {"hi",       "hii",  "hello", "helo", "hey",
                                              "namaste",  "namaskar", "start", "hola",
                                              "good morning", "good evening", "नमस्ते"};
  return words;
}

std::string Trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n!.?");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n!.?");
  return text.substr(first, last - first + 1);
}

void AddToCart(std::vector<CartLine>& cart, const std::string& sku, int64_t qty) {
  for (auto& line : cart) {
    if (line.sku == sku) {
      line.qty += qty;
      return;
    }
  }
  cart.push_back({sku, qty});
}

SendReply Text(const InboundEvent& event, const std::string& body) {
  return {whatsapp::BuildTextMessage(event.customer, body)};
}

// The bill with Checkout · Edit · Cancel, or the plain empty-cart answer.
SendReply BillReply(const InboundEvent& event, const std::vector<CartLine>& cart,
                    const ShopView& shop, const std::string& preface) {
  if (cart.empty()) {
    return Text(event, preface + "Your cart is empty. Type your list, like \"2 atta, 1 maggi\", "
                                 "or send *menu* to see what we have.");
  }
  return {whatsapp::BuildButtonsMessage(
      event.customer, preface + RenderBill(cart, shop),
      {{"cart:checkout", "Checkout"}, {"cart:edit", "Edit"}, {"cart:cancel", "Cancel"}})};
}

// The categories of the catalog as a list to pick from.
SendReply MenuReply(const InboundEvent& event, const ShopView& shop) {
  std::vector<std::string> categories;
  for (const auto& p : shop.catalog->products) {
    if (std::find(categories.begin(), categories.end(), p.category) == categories.end()) {
      categories.push_back(p.category);
    }
  }
  whatsapp::ListSection section{"Categories", {}};
  for (const auto& c : categories) {
    std::string title = c;
    if (!title.empty()) title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    section.rows.push_back({"cat:" + c, title, ""});
  }
  const std::string body = "Namaste! Welcome to " + shop.name +
                           ". Pick a category, or just type your list, like \"2 atta, 1 kg "
                           "sugar, maggi x5\".";
  if (section.rows.empty()) return Text(event, body);
  return {whatsapp::BuildListMessage(event.customer, body, "Categories", {section})};
}

SendReply CategoryReply(const InboundEvent& event, const ShopView& shop,
                        const std::string& category) {
  whatsapp::ListSection section{category, {}};
  for (const auto& p : shop.catalog->products) {
    if (p.category != category) continue;
    section.rows.push_back({"add:" + p.sku + ":1", p.name,
                            p.price.ToRupeeText() + (p.stock > 0 ? "" : " · out of stock")});
  }
  if (section.rows.empty()) return MenuReply(event, shop);
  return {whatsapp::BuildListMessage(event.customer, "Tap a product to add one to your cart.",
                                     "Products", {section})};
}

std::string HelpText() {
  return "Type your list, like \"2 atta, 1 kg sugar, maggi x5\", and I will make the bill.\n"
         "*menu* – see what we have\n*status* – your cart\n*cancel* – empty the cart\n"
         "*help* – this message";
}

// Stock problems of the cart, one sentence each; empty when everything is available.
std::vector<std::string> ShortItems(const std::vector<CartLine>& cart, const ShopView& shop) {
  std::vector<std::string> problems;
  for (const auto& line : cart) {
    const orders::Product* p = shop.catalog->Find(line.sku);
    if (p == nullptr) {
      problems.push_back(line.sku + " is no longer sold here");
    } else if (p->stock <= 0) {
      problems.push_back(p->name + " is out of stock");
    } else if (p->stock < line.qty) {
      problems.push_back("only " + std::to_string(p->stock) + " of " + p->name + " available");
    }
  }
  return problems;
}

Transition FromText(const ConversationState& state, const InboundEvent& event,
                    const ShopView& shop, const std::string& text) {
  Transition t{state, {}};
  const std::string command = Trimmed(FoldText(text));
  if (command == "help") {
    t.effects.push_back(Text(event, HelpText()));
    return t;
  }
  if (command == "cancel") {
    t.next = ConversationState{};
    t.effects.push_back(Text(event, "Your cart is now empty. Type a new list whenever you like."));
    return t;
  }
  if (command == "status" || command == "cart") {
    t.effects.push_back(BillReply(event, state.cart, shop, ""));
    return t;
  }
  if (command == "menu" || Greetings().count(command)) {
    if (state.cart.empty()) t.next.stage = Stage::kMenu;
    t.effects.push_back(MenuReply(event, shop));
    return t;
  }

  ParsedOrder order = shop.parser->Parse(text);
  for (const auto& item : order.items) AddToCart(t.next.cart, item.sku, item.qty);
  std::string preface;
  for (const auto& u : order.unmatched) preface += "I couldn't find \"" + u + "\".\n";
  if (!order.items.empty()) {
    t.next.stage = Stage::kCart;
    std::vector<CartLine> added;
    for (const auto& item : order.items) added.push_back({item.sku, item.qty});
    for (const auto& problem : ShortItems(added, shop)) preface += "Sorry, " + problem + ".\n";
    if (!preface.empty()) preface += "\n";
    t.effects.push_back(BillReply(event, t.next.cart, shop, preface));
  }
  for (const auto& a : order.ambiguous) {
    whatsapp::ListSection section{"Did you mean", {}};
    for (const auto& sku : a.candidates) {
      if (const orders::Product* p = shop.catalog->Find(sku)) {
        section.rows.push_back({"add:" + sku + ":1", p->name, p->price.ToRupeeText()});
      }
    }
    t.effects.push_back(SendReply{whatsapp::BuildListMessage(
        event.customer, "Which \"" + a.text + "\" would you like?", "Choose", {section})});
  }
  if (t.effects.empty()) {
    const std::string hint = order.question
                                 ? "I can't answer questions yet, but the shop will see this. "
                                 : (preface.empty() ? "I didn't understand that. " : preface);
    t.effects.push_back(Text(event, hint + "Type your list, like \"2 atta, 1 maggi\", or send "
                                           "*menu* to see what we have."));
  }
  return t;
}

Transition FromChoice(const ConversationState& state, const InboundEvent& event,
                      const ShopView& shop, const std::string& id) {
  Transition t{state, {}};
  if (id == "cart:cancel") return FromText(state, event, shop, "cancel");
  if (id == "cart:edit") {
    t.effects.push_back(Text(event, "Send the changes as a list: \"3 maggi\" adds three, "
                                    "*cancel* empties the cart. Send *status* to see the bill."));
    return t;
  }
  if (id == "cart:checkout") {
    auto problems = ShortItems(state.cart, shop);
    if (state.cart.empty()) {
      t.effects.push_back(BillReply(event, state.cart, shop, ""));
    } else if (!problems.empty()) {
      std::string text = "Before checkout:\n";
      for (const auto& p : problems) text += "• " + p + "\n";
      t.effects.push_back(BillReply(event, state.cart, shop, text + "\n"));
    } else {
      t.effects.push_back(Text(event, "Everything in your cart is in stock.\n\n" +
                                          RenderBill(state.cart, shop)));
    }
    return t;
  }
  if (id.rfind("cat:", 0) == 0) {
    t.effects.push_back(CategoryReply(event, shop, id.substr(4)));
    return t;
  }
  if (id.rfind("add:", 0) == 0) {
    // add:<sku>:<qty>
    const std::string rest = id.substr(4);
    const auto colon = rest.rfind(':');
    const std::string sku = rest.substr(0, colon);
    int64_t qty = 1;
    if (colon != std::string::npos) qty = std::max<int64_t>(1, std::atoll(rest.c_str() + colon + 1));
    if (shop.catalog->Find(sku) == nullptr) {
      t.effects.push_back(Text(event, "That product is no longer sold here. Send *menu* to see "
                                      "what we have."));
      return t;
    }
    AddToCart(t.next.cart, sku, std::min<int64_t>(qty, 999));
    t.next.stage = Stage::kCart;
    auto problems = ShortItems({{sku, qty}}, shop);
    t.effects.push_back(
        BillReply(event, t.next.cart, shop, problems.empty() ? "" : "Sorry, " + problems[0] + ".\n\n"));
    return t;
  }
  t.effects.push_back(Text(event, HelpText()));
  return t;
}

}  // namespace

nlohmann::json StateToJson(const ConversationState& state) {
  const char* stage = state.stage == Stage::kMenu ? "menu" : state.stage == Stage::kCart ? "cart" : "idle";
  nlohmann::json cart = nlohmann::json::array();
  for (const auto& line : state.cart) cart.push_back({{"sku", line.sku}, {"qty", line.qty}});
  return {{"stage", stage}, {"cart", cart}};
}

ConversationState StateFromJson(const nlohmann::json& json) {
  ConversationState state;
  const std::string stage = whatsapp::StringField(json, "stage");
  state.stage = stage == "menu" ? Stage::kMenu : stage == "cart" ? Stage::kCart : Stage::kIdle;
  if (json.is_object() && json.contains("cart") && json["cart"].is_array()) {
    for (const auto& line : json["cart"]) {
      const std::string sku = whatsapp::StringField(line, "sku");
      const int64_t qty = whatsapp::IntField(line, "qty", 0);
      if (!sku.empty() && qty > 0) state.cart.push_back({sku, qty});
    }
  }
  return state;
}

std::string RenderBill(const std::vector<CartLine>& cart, const ShopView& shop) {
  std::string text = "*Your bill from " + shop.name + "*\n";
  orders::Money subtotal{0};
  for (const auto& line : cart) {
    const orders::Product* p = shop.catalog->Find(line.sku);
    if (p == nullptr) continue;
    const orders::Money amount{p->price.minor * line.qty};
    subtotal.minor += amount.minor;
    text += std::to_string(line.qty) + " × " + p->name + " @ " + p->price.ToRupeeText() + " = " +
            amount.ToRupeeText();
    if (p->stock < line.qty) {
      text += p->stock <= 0 ? " (out of stock)" : " (only " + std::to_string(p->stock) + " left)";
    }
    text += "\n";
  }
  const orders::Money delivery{subtotal.minor >= shop.free_delivery_from.minor
                                   ? 0
                                   : shop.delivery_fee.minor};
  text += "Subtotal: " + subtotal.ToRupeeText() + "\n";
  text += "Delivery: " + (delivery.minor == 0 ? std::string("free")
                                              : delivery.ToRupeeText() + " (free from " +
                                                    shop.free_delivery_from.ToRupeeText() + ")") +
          "\n";
  text += "*Total: " + orders::Money{subtotal.minor + delivery.minor}.ToRupeeText() + "*";
  return text;
}

Transition Step(const ConversationState& state, const InboundEvent& event, const ShopView& shop) {
  if (event.kind != InboundEvent::Kind::kMessage) return {state, {}};
  const nlohmann::json& data = event.data;
  if (event.type == "text") {
    return FromText(state, event, shop, whatsapp::StringField(data, "body"));
  }
  if (event.type == "interactive") {
    const std::string subtype = whatsapp::StringField(data, "type");
    const std::string id =
        whatsapp::StringField(whatsapp::ObjectField(data, subtype.c_str()), "id");
    if (!id.empty()) return FromChoice(state, event, shop, id);
  }
  if (event.type == "button") {  // a template's quick reply
    return FromText(state, event, shop, whatsapp::StringField(data, "text"));
  }
  if (event.type == "order") {  // a cart from the WhatsApp catalog
    Transition t{state, {}};
    std::string unknown;
    if (data.is_object() && data.contains("product_items") && data["product_items"].is_array()) {
      for (const auto& item : data["product_items"]) {
        const std::string sku = whatsapp::StringField(item, "product_retailer_id");
        const int64_t qty = whatsapp::IntField(item, "quantity", 1);
        if (shop.catalog->Find(sku) != nullptr && qty > 0) {
          AddToCart(t.next.cart, sku, std::min<int64_t>(qty, 999));
        } else {
          unknown += "I couldn't find \"" + sku + "\".\n";
        }
      }
    }
    if (!t.next.cart.empty()) t.next.stage = Stage::kCart;
    t.effects.push_back(BillReply(event, t.next.cart, shop, unknown.empty() ? "" : unknown + "\n"));
    return t;
  }
  // Stickers, voice notes, photos, locations, unsupported types: a short, useful answer.
  return {state,
          {Text(event, "I can read typed lists best, like \"2 atta, 1 kg sugar\". Send *menu* "
                       "to see what we have, or *help*.")}};
}

}  // namespace chatshop::bot
