#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace chatshop::bot {

// The ids of the reply buttons and list rows the engines send, and what a tapped one means:
// encoded and decoded here only. Meta hands the id back unchanged when the button is tapped,
// possibly days later and from a message sent by an older version of chatshop, so ids are
// versioned and every older format still in customers' chats keeps its meaning.
//
// Wire format, version 2 (what Encode writes): "v2:" then colon-separated fields
//   v2:cart:checkout   v2:cart:edit   v2:cart:cancel   v2:order:cancel   v2:pay:cod
//   v2:cats:<offset>                  the menu from its offset-th category
//   v2:cat:<offset>:<category>        a category's products from the offset-th (the category
//                                     is last: it may contain ':')
//   v2:add:<sku>:<qty>   v2:qty:<sku>:<delta>   v2:rm:<sku>   v2:edit:<sku>
//   v2:fix:swap:<sku>:<other sku>   v2:fix:reduce:<sku>   v2:fix:remove:<sku>
//   v2:own:<verb>:<order id>:<nonce>[:<reason code>]
// SKUs contain no ':' (the catalog import refuses them) and are at most 64 bytes, categories at
// most 100: every id fits Meta's 200-character limit on list row ids (256 for buttons).
// Older formats, still decoded: version 1 of the owners' ids ("own:…", the same fields) and
// the customers' unversioned ids ("cart:checkout", "add:<sku>:<qty>", "cat:<category>", …).

// What an owner's button or list row on an order notice asks for.
enum class OwnerVerb { kApprove, kReject, kPack, kOut, kDeliver, kShow };

// An owner's button or list row: the order, the verb and the order's nonce when the notice was
// made. The nonce changes on every status change of the order, so a button from an older
// notice (approve after a reject, a replayed tap) no longer matches and is refused.
struct OwnerButton {
  OwnerVerb verb = OwnerVerb::kShow;
  int64_t order_id = 0;
  std::string nonce;        // empty when the id carried none: refused like a stale one
  std::string reason_code;  // reject only (amount, not_received, unclear); empty: ask why

  bool operator==(const OwnerButton&) const = default;
};

// The customers' choices.
namespace choice {

struct Checkout {  // the bill's Checkout
  bool operator==(const Checkout&) const = default;
};
struct EditCart {  // the bill's Edit: pick a line to change
  bool operator==(const EditCart&) const = default;
};
struct CancelCart {  // the bill's Cancel
  bool operator==(const CancelCart&) const = default;
};
struct CancelOrder {  // "Cancel order" on a payment request or a stock problem
  bool operator==(const CancelOrder&) const = default;
};
struct PayCod {  // cash on delivery, on a payment request
  bool operator==(const PayCod&) const = default;
};
struct MenuPage {  // "More…" in the menu: the categories from `offset`
  uint32_t offset = 0;
  bool operator==(const MenuPage&) const = default;
};
struct Category {  // a category's products from `offset`
  std::string category;
  uint32_t offset = 0;
  bool operator==(const Category&) const = default;
};
struct Add {  // a product row: add `qty` of it
  std::string sku;
  int64_t qty = 1;
  bool operator==(const Add&) const = default;
};
struct ChangeQty {  // + / − on a cart line
  std::string sku;
  int64_t delta = 0;
  bool operator==(const ChangeQty&) const = default;
};
struct Remove {  // Remove on a cart line
  std::string sku;
  bool operator==(const Remove&) const = default;
};
struct EditLine {  // a cart line picked to change
  std::string sku;
  bool operator==(const EditLine&) const = default;
};
struct Fix {  // a stock problem's answer: replace with `alternative`, reduce or remove
  enum class Action { kSwap, kReduce, kRemove };
  Action action = Action::kRemove;
  std::string sku;
  std::string alternative;  // kSwap only
  bool operator==(const Fix&) const = default;
};
// Not an id of ours: another format, a field that does not parse, too long.
struct Unknown {
  bool operator==(const Unknown&) const = default;
};

}  // namespace choice

using Choice = std::variant<choice::Unknown, choice::Checkout, choice::EditCart, choice::CancelCart,
                            choice::CancelOrder, choice::PayCod, choice::MenuPage, choice::Category,
                            choice::Add, choice::ChangeQty, choice::Remove, choice::EditLine,
                            choice::Fix, OwnerButton>;

// The version-2 id of `choice` (choice::Unknown gives ""). The caller passes SKUs and
// categories the catalog accepted.
std::string EncodeChoice(const Choice& choice);

// What an id means, in any format ever sent; choice::Unknown for anything else (never throws).
// An owner id with a missing or empty nonce decodes to an empty one, for the owner engine to
// refuse with a clear reply.
Choice DecodeChoice(std::string_view id);

}  // namespace chatshop::bot
