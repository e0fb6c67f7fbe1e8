#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/templates.h"
#include "orders/order.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot {

// Replies in one language with one shop's wording: renders templates and builds the Graph API
// bodies. Every template gets "shop" (the shop's name) besides its own data. Pure.
class Wording {
 public:
  Wording(const common::TemplateSet& templates, const common::TemplateOverrides* overrides,
          std::string locale, std::string shop_name)
      : templates_(templates),
        overrides_(overrides),
        locale_(std::move(locale)),
        shop_name_(std::move(shop_name)) {}

  std::string Say(const std::string& name, nlohmann::json data = nlohmann::json::object()) const;
  const std::string& locale() const { return locale_; }

  // The order's status in words ("waiting for payment").
  std::string StatusWords(orders::OrderStatus status) const;
  // The order's lines as text, one "2 × Atta 5kg = ₹578.00" per line, then the total.
  std::string OrderSummary(const orders::OrderView& order) const;

 private:
  const common::TemplateSet& templates_;
  const common::TemplateOverrides* overrides_;
  std::string locale_;
  std::string shop_name_;
};

// Message builders bound to one recipient.
nlohmann::json TextTo(const std::string& to, const std::string& body);
nlohmann::json ButtonsTo(const std::string& to, const std::string& body,
                         const std::vector<whatsapp::ReplyButton>& buttons);

// The names of the templates Wording::StatusWords uses.
std::vector<std::string> StatusTemplateNames();

}  // namespace chatshop::bot
