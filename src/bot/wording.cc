#include "bot/wording.h"

namespace chatshop::bot {

std::string Wording::Say(const std::string& name, nlohmann::json data) const {
  data["shop"] = shop_name_;
  return templates_.Render(locale_, name, data, overrides_);
}

std::string Wording::StatusWords(orders::OrderStatus status) const {
  return Say("status_" + std::string(orders::StatusName(status)));
}

std::string Wording::OrderSummary(const orders::OrderView& order) const {
  std::string text;
  for (const auto& line : order.lines) {
    text += std::to_string(line.qty) + " × " + line.name + " = " +
            orders::Money{line.unit_price.minor * line.qty}.ToRupeeText() + "\n";
  }
  return text + Say("order_total", {{"total", order.total.ToRupeeText()},
                                    {"delivery", order.delivery.ToRupeeText()},
                                    {"free_delivery", order.delivery.minor == 0}});
}

nlohmann::json TextTo(const std::string& to, const std::string& body) {
  return whatsapp::BuildTextMessage(to, body);
}

nlohmann::json ButtonsTo(const std::string& to, const std::string& body,
                         const std::vector<whatsapp::ReplyButton>& buttons) {
  return whatsapp::BuildButtonsMessage(to, body, buttons);
}

std::vector<std::string> StatusTemplateNames() {
  std::vector<std::string> names;
  for (int i = 0; i <= static_cast<int>(orders::OrderStatus::kCancelled); ++i) {
    names.push_back("status_" +
                    std::string(orders::StatusName(static_cast<orders::OrderStatus>(i))));
  }
  return names;
}

}  // namespace chatshop::bot
