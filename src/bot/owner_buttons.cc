#include "bot/owner_buttons.h"

#include <vector>

namespace chatshop::bot {
namespace {

struct VerbName {
  OwnerVerb verb;
  std::string_view name;
};
constexpr VerbName kVerbs[] = {{OwnerVerb::kApprove, "approve"}, {OwnerVerb::kReject, "reject"},
                               {OwnerVerb::kPack, "pack"},       {OwnerVerb::kOut, "out"},
                               {OwnerVerb::kDeliver, "deliver"}, {OwnerVerb::kShow, "show"}};
constexpr std::string_view kPrefix = "own";

std::vector<std::string_view> SplitColons(std::string_view id) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t colon = id.find(':');
    parts.push_back(id.substr(0, colon));
    if (colon == std::string_view::npos) break;
    id.remove_prefix(colon + 1);
  }
  return parts;
}

}  // namespace

std::string EncodeOwnerButton(const OwnerButton& button) {
  std::string id(kPrefix);
  for (const auto& v : kVerbs) {
    if (v.verb == button.verb) id += ":" + std::string(v.name);
  }
  id += ":" + std::to_string(button.order_id) + ":" + button.nonce;
  if (!button.reason_code.empty()) id += ":" + button.reason_code;
  return id;
}

std::optional<OwnerButton> DecodeOwnerButton(std::string_view id) {
  const std::vector<std::string_view> parts = SplitColons(id);
  if (parts.size() < 3 || parts.size() > 5 || parts[0] != kPrefix) return std::nullopt;
  OwnerButton button;
  bool known = false;
  for (const auto& v : kVerbs) {
    if (v.name == parts[1]) {
      button.verb = v.verb;
      known = true;
    }
  }
  const std::string_view digits = parts[2];
  if (!known || digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  for (char c : digits) button.order_id = button.order_id * 10 + (c - '0');
  if (parts.size() >= 4) button.nonce = std::string(parts[3]);
  if (parts.size() == 5) {
    if (button.verb != OwnerVerb::kReject || parts[4].empty()) return std::nullopt;
    button.reason_code = std::string(parts[4]);
  }
  return button;
}

}  // namespace chatshop::bot
