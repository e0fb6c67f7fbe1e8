#include "bot/reply_ids.h"

#include <optional>
#include <vector>

#include "bot/overloaded.h"

namespace chatshop::bot {
namespace {

constexpr std::string_view kVersion2 = "v2:";
// Meta's limit on a button id (a row's is 200); anything longer was never ours.
constexpr size_t kMaxIdChars = 256;
// The catalog import's limits (orders/catalog.cc).
constexpr size_t kMaxSkuChars = 64;
constexpr size_t kMaxCategoryChars = 100;

struct VerbName {
  OwnerVerb verb;
  std::string_view name;
};
constexpr VerbName kOwnerVerbs[] = {
    {OwnerVerb::kApprove, "approve"}, {OwnerVerb::kReject, "reject"},   {OwnerVerb::kPack, "pack"},
    {OwnerVerb::kOut, "out"},         {OwnerVerb::kDeliver, "deliver"}, {OwnerVerb::kShow, "show"}};

struct FixName {
  choice::Fix::Action action;
  std::string_view name;
};
constexpr FixName kFixActions[] = {{choice::Fix::Action::kSwap, "swap"},
                                   {choice::Fix::Action::kReduce, "reduce"},
                                   {choice::Fix::Action::kRemove, "remove"}};

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

// Digits only, at most `max_digits` of them.
std::optional<int64_t> Unsigned(std::string_view digits, size_t max_digits) {
  if (digits.empty() || digits.size() > max_digits ||
      digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  int64_t n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// An optional '-' then up to nine digits: a quantity or a change of one (the engine caps it).
std::optional<int64_t> Signed(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  auto n = Unsigned(negative ? text.substr(1) : text, 9);
  if (!n) return std::nullopt;
  return negative ? -*n : *n;
}

std::optional<uint32_t> Offset(std::string_view digits) {
  auto n = Unsigned(digits, 9);
  if (!n) return std::nullopt;
  return static_cast<uint32_t>(*n);
}

// As the catalog import accepts them: no spaces (nor other control bytes), at most 64 bytes.
bool IsSku(std::string_view sku) {
  if (sku.empty() || sku.size() > kMaxSkuChars) return false;
  for (unsigned char c : sku) {
    if (c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

bool IsCategory(std::string_view category) {
  return !category.empty() && category.size() <= kMaxCategoryChars;
}

// own:<verb>:<order id>[:<nonce>[:<reason code>]], the same in versions 1 and 2.
Choice DecodeOwner(const std::vector<std::string_view>& parts) {
  if (parts.size() < 3 || parts.size() > 5) return choice::Unknown{};
  OwnerButton button;
  bool known = false;
  for (const auto& v : kOwnerVerbs) {
    if (v.name == parts[1]) {
      button.verb = v.verb;
      known = true;
    }
  }
  auto order_id = Unsigned(parts[2], 18);
  if (!known || !order_id) return choice::Unknown{};
  button.order_id = *order_id;
  if (parts.size() >= 4) button.nonce = std::string(parts[3]);
  if (parts.size() == 5) {
    if (button.verb != OwnerVerb::kReject || parts[4].empty()) return choice::Unknown{};
    button.reason_code = std::string(parts[4]);
  }
  return button;
}

// A product line's id: add:<sku>:<qty>, qty:<sku>:<delta>, rm:<sku>, edit:<sku>.
Choice DecodeLine(const std::vector<std::string_view>& parts) {
  const std::string_view verb = parts[0];
  if (parts.size() < 2 || !IsSku(parts[1])) return choice::Unknown{};
  const std::string sku(parts[1]);
  if (verb == "rm" || verb == "edit") {
    if (parts.size() != 2) return choice::Unknown{};
    if (verb == "rm") return choice::Remove{sku};
    return choice::EditLine{sku};
  }
  if (parts.size() != 3) return choice::Unknown{};
  auto n = Signed(parts[2]);
  if (!n) return choice::Unknown{};
  if (verb == "add") return choice::Add{sku, *n};
  return choice::ChangeQty{sku, *n};
}

// fix:swap:<sku>:<other sku>, fix:reduce:<sku>, fix:remove:<sku>.
Choice DecodeFix(const std::vector<std::string_view>& parts) {
  if (parts.size() < 3 || !IsSku(parts[2])) return choice::Unknown{};
  for (const auto& f : kFixActions) {
    if (f.name != parts[1]) continue;
    const bool swap = f.action == choice::Fix::Action::kSwap;
    if (parts.size() != (swap ? 4u : 3u) || (swap && !IsSku(parts[3]))) return choice::Unknown{};
    return choice::Fix{f.action, std::string(parts[2]), swap ? std::string(parts[3]) : ""};
  }
  return choice::Unknown{};
}

// cat:<offset>:<category>; the category is the rest of the id, ':' and all. Unversioned ids
// also came as "cat:<category>" (the first version) and "cat" alone (the menu).
Choice DecodeCategory(std::string_view fields, bool unversioned) {
  if (unversioned && fields == "cat") return choice::MenuPage{0};
  if (fields.substr(0, 4) != "cat:") return choice::Unknown{};
  fields.remove_prefix(4);
  const size_t colon = fields.find(':');
  if (colon != std::string_view::npos) {
    if (auto offset = Offset(fields.substr(0, colon))) {
      const std::string_view category = fields.substr(colon + 1);
      if (!IsCategory(category)) return choice::Unknown{};
      return choice::Category{std::string(category), *offset};
    }
  }
  if (!unversioned || !IsCategory(fields)) return choice::Unknown{};
  return choice::Category{std::string(fields), 0};
}

// The fields after the version marker (version 2), or a whole unversioned id: the two share
// their grammar but for the forms only older versions wrote.
Choice DecodeFields(std::string_view fields, bool unversioned) {
  const std::vector<std::string_view> parts = SplitColons(fields);
  const std::string_view kind = parts[0];
  if (parts.size() == 2) {
    if (kind == "cart" && parts[1] == "checkout") return choice::Checkout{};
    if (kind == "cart" && parts[1] == "edit") return choice::EditCart{};
    if (kind == "cart" && parts[1] == "cancel") return choice::CancelCart{};
    if (kind == "order" && parts[1] == "cancel") return choice::CancelOrder{};
    if (kind == "pay" && parts[1] == "cod") return choice::PayCod{};
  }
  if (kind == "cats") {
    if (unversioned && parts.size() == 1) return choice::MenuPage{0};
    auto offset = parts.size() == 2 ? Offset(parts[1]) : std::nullopt;
    if (!offset) return choice::Unknown{};
    return choice::MenuPage{*offset};
  }
  if (kind == "cat") return DecodeCategory(fields, unversioned);
  if (kind == "add" || kind == "qty" || kind == "rm" || kind == "edit") return DecodeLine(parts);
  if (kind == "fix") return DecodeFix(parts);
  if (kind == "own") return DecodeOwner(parts);
  return choice::Unknown{};
}

std::string OwnerFields(const OwnerButton& button) {
  std::string id = "own";
  for (const auto& v : kOwnerVerbs) {
    if (v.verb == button.verb) id += ":" + std::string(v.name);
  }
  id += ":" + std::to_string(button.order_id) + ":" + button.nonce;
  if (!button.reason_code.empty()) id += ":" + button.reason_code;
  return id;
}

std::string FixFields(const choice::Fix& fix) {
  std::string id = "fix";
  for (const auto& f : kFixActions) {
    if (f.action == fix.action) id += ":" + std::string(f.name);
  }
  id += ":" + fix.sku;
  if (fix.action == choice::Fix::Action::kSwap) id += ":" + fix.alternative;
  return id;
}

}  // namespace

std::string EncodeChoice(const Choice& choice) {
  const std::string fields = std::visit(
      Overloaded{
          [](const choice::Unknown&) { return std::string(); },
          [](const choice::Checkout&) { return std::string("cart:checkout"); },
          [](const choice::EditCart&) { return std::string("cart:edit"); },
          [](const choice::CancelCart&) { return std::string("cart:cancel"); },
          [](const choice::CancelOrder&) { return std::string("order:cancel"); },
          [](const choice::PayCod&) { return std::string("pay:cod"); },
          [](const choice::MenuPage& c) { return "cats:" + std::to_string(c.offset); },
          [](const choice::Category& c) {
            return "cat:" + std::to_string(c.offset) + ":" + c.category;
          },
          [](const choice::Add& c) { return "add:" + c.sku + ":" + std::to_string(c.qty); },
          [](const choice::ChangeQty& c) { return "qty:" + c.sku + ":" + std::to_string(c.delta); },
          [](const choice::Remove& c) { return "rm:" + c.sku; },
          [](const choice::EditLine& c) { return "edit:" + c.sku; },
          [](const choice::Fix& c) { return FixFields(c); },
          [](const OwnerButton& c) { return OwnerFields(c); },
      },
      choice);
  return fields.empty() ? fields : std::string(kVersion2) + fields;
}

Choice DecodeChoice(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdChars) return choice::Unknown{};
  if (id.substr(0, kVersion2.size()) == kVersion2) {
    return DecodeFields(id.substr(kVersion2.size()), /*unversioned=*/false);
  }
  // Before version 2: the customers' ids carried no version, the owners' were version 1 by
  // their "own" prefix; both grammars are the one above with a few older forms.
  return DecodeFields(id, /*unversioned=*/true);
}

}  // namespace chatshop::bot
